"""Parse responses as HTML so tests assert on elements, not substrings."""
from bs4 import BeautifulSoup


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response, selector: str) -> list[str]:
    return [el.get_text(" ", strip=True) for el in soup(response).select(selector)]


def alert(response) -> str:
    """The error message shown to the user."""
    found = soup(response).select_one('[role="alert"]')
    return found.get_text(" ", strip=True) if found else ""
