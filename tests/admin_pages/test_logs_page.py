"""/admin/logs: the latest lines of settings.LOG_FILE, filtered by level and job."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = "/admin/logs"


@pytest.fixture
def log_file(settings, tmp_path):
    settings.LOG_FILE = tmp_path / "app.log"
    return settings.LOG_FILE


def _write(path, *records: tuple[str, str, str]) -> None:
    path.write_text(
        "".join(
            f"2026-11-27 04:00:0{n},000 {level} [job={job}] marketplace.importing: {message}\n"
            for n, (level, job, message) in enumerate(records)
        ),
        encoding="utf-8",
    )


def test_the_url_is_the_one_the_spec_names():
    assert reverse("admin_pages:logs") == URL


def test_it_shows_the_newest_lines_first(admin_client_root, log_file):
    _write(log_file, ("INFO", "41", "first"), ("WARNING", "42", "second <b>"), ("ERROR", "-", "third"))
    response = admin_client_root.get(URL)
    assert [r.message for r in response.context["tail"].records] == ["third", "second <b>", "first"]
    content = response.content.decode()
    assert "second &lt;b&gt;" in content  # escaped
    assert f"{URL}?job=42" in content  # a job id links to that job's lines


def test_it_filters_by_level_and_job(admin_client_root, log_file):
    _write(log_file, ("INFO", "41", "a"), ("WARNING", "42", "b"), ("ERROR", "42", "c"), ("INFO", "42", "d"))
    by_level = admin_client_root.get(URL + "?level=WARNING")
    assert [r.message for r in by_level.context["tail"].records] == ["c", "b"]
    by_job = admin_client_root.get(URL + "?job=42")
    assert [r.message for r in by_job.context["tail"].records] == ["d", "c", "b"]
    both = admin_client_root.get(URL + "?job=42&level=ERROR&limit=100")
    assert [r.message for r in both.context["tail"].records] == ["c"]


def test_bad_filter_values_do_not_break_the_page(admin_client_root, log_file):
    _write(log_file, ("INFO", "1", "a"))
    assert admin_client_root.get(URL + "?level=LOUD&job=abc&limit=-5").status_code == 200


def test_a_missing_file_says_so(admin_client_root, log_file):
    response = admin_client_root.get(URL)
    assert response.status_code == 200
    assert b"There is no log file yet" in response.content


def test_an_empty_file_says_so(admin_client_root, log_file):
    log_file.write_text("")
    assert b"The log is empty." in admin_client_root.get(URL).content


def test_a_just_rotated_file_shows_the_previous_lines(admin_client_root, log_file):
    log_file.write_text("")
    _write(log_file.with_name("app.log.1"), ("INFO", "5", "before rotation"))
    assert b"before rotation" in admin_client_root.get(URL).content


def test_a_real_import_log_line_carries_its_job_id(admin_client_root, settings, tmp_path):
    """The page reads what the logging configuration writes."""
    import logging

    from core.logging import job_logging_context

    logger = logging.getLogger("marketplace.importing.test")
    with job_logging_context(4242):
        logger.warning("admin logs page check")
    response = admin_client_root.get(URL + "?job=4242&level=WARNING")
    assert "admin logs page check" in [r.message for r in response.context["tail"].records]
