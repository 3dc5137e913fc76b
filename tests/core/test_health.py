"""The process supervisor's health check: public, and honest about the database."""


def test_healthz_answers_ok_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_fails_when_the_database_is_unreachable(test_config):
    from app import create_app

    class Unreachable(test_config):
        DATABASE_URL = "postgresql://nobody@127.0.0.1:9/nothing"  # port 9 (discard): nothing listens

    response = create_app(Unreachable).test_client().get("/healthz")
    assert response.status_code == 500
