"""Moments are written one way per locale and style: the fast path for the digit-only patterns writes exactly
what Babel writes."""
from datetime import datetime, timezone

import pytest
from babel.dates import format_datetime
from flask_babel import force_locale

from app.core.db import local
from app.core.formatting import PATTERNS, when


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
@pytest.mark.parametrize("moment", [datetime(2026, 1, 2, 16, 5, 9, tzinfo=timezone.utc),  # 00:05 the next day there
                                    datetime(2026, 12, 31, 3, 59, tzinfo=timezone.utc)])
def test_every_style_reads_as_babel_writes_it(app, locale, moment):
    patterns = PATTERNS["en" if locale == "en" else "zh"]
    with app.test_request_context("/"), force_locale(locale):
        for style, pattern in patterns.items():
            assert when(moment, style) == format_datetime(local(moment), pattern, locale=locale), (style, locale)
        assert when(moment) == when(moment, "medium") == format_datetime(local(moment), patterns["datetime"],
                                                                         locale=locale)
