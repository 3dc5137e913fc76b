from tests.repairs.test_public import _submit, TYPED, form_url, _no_fill_delay  # noqa
def test_peek(client, form_url, login_as, world):
    r = _submit(client, form_url, phone="12", photos=[])
    print(r.get_data(as_text=True).split('<main id="main" class="page">')[1].split("</main>")[0])
    r = _submit(client, form_url)
    print(client.get(r.headers["Location"]).get_data(as_text=True).split('<main id="main" class="page">')[1].split("</main>")[0])
    p = login_as("supervisor").get(f"/projects/{world.p1.id}/resident-link").get_data(as_text=True)
    print(p.split('<main id="main" class="page">')[1][:600])
