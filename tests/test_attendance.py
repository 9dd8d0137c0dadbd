"""Attendance (counts per held session) and the report to the steering group.

Every test sets MEDBORGER_TODAY: nothing here depends on the clock. The report's figures are
checked against an independent computation over `export csv bookings` and `export csv
attendance`; refused registrations must leave the database file unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from collections import defaultdict

import pytest

from conftest import dump, rows

pytestmark = pytest.mark.engines

TODAY = "2026-09-20"


@pytest.fixture
def term(cli, house, monkeypatch):
    """Two weekly activities (one cancelled date, a closure), a one-off booking, and attendance."""
    monkeypatch.setenv("MEDBORGER_TODAY", TODAY)
    for step in (
        ("add-closure", "motalavej", "--from", "2026-10-12", "--until", "2026-10-16", "--reason", "Efterårsferie"),
        ("add-activity", "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn",
         "-g", "unge", "--focus", "uddannelse", "-d", "mandag", "--start", "15:00", "--end", "17:00",
         "--from", "2026-08-10", "--until", "2026-10-26"),
        ("add-activity", "Jobcafé", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-k", "job", "-g", "ledige",
         "--focus", "beskæftigelse", "-d", "tirsdag", "--start", "10:00", "--end", "12:30",
         "--from", "2026-08-11", "--until", "2026-10-27"),
        ("book", "--centre", "motalavej", "--room", "Salen", "--actor", "Røde Kors", "--title", "Loppemarked",
         "--start", "2026-09-05 10:00", "--end", "2026-09-05 14:00"),
    ):
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)
    bookings = cli("list", "bookings", "--from", "2026-08-01", "--until", "2026-12-31", "--json").json()
    by = defaultdict(list)
    for b in bookings:
        by[b["title"]].append(b)
    cancelled = by["Jobcafé"][2]
    assert cli("cancel", str(cancelled["id"]), "--reason", "syg underviser").exit_code == 0
    lektie, job = by["Lektiecafé"], by["Jobcafé"]
    steps = [
        (lektie[0], ["--count", "14", "--new", "4", "--age-band", "6-12=9,13-17=5", "--female", "8", "--male", "6"]),
        (lektie[1], ["--count", "11", "--new", "1"]),
        (lektie[2], ["--count", "0"]),
        (job[0], ["--count", "6", "--new", "6", "--female", "2", "--male", "4", "--age-band", "18-29=2", "--age-band", "30-64=4"]),
        (job[1], ["--count", "5", "--note", "Mange nye CV'er"]),
        (by["Loppemarked"][0], ["--count", "40"]),
    ]
    for booking, args in steps:
        result = cli("attend", booking["id"], *args)
        assert result.exit_code == 0, result.stderr
    return {"lektie": lektie, "job": job, "cancelled": cancelled, "loppe": by["Loppemarked"][0]}


def _export(cli, table):
    result = cli("export", "csv", table)
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _independent(cli, first: str, last: str, today: str) -> dict:
    """The report's figures from the exported files alone, grouped by focus area."""
    activities = {(a["centre"], a["activity"]): a for a in _export(cli, "activities")}
    attendance = {(a["centre"], a["room"], a["title"], a["start"]): a for a in _export(cli, "attendance")}
    groups: dict = defaultdict(lambda: defaultdict(int))
    seen = defaultdict(set)
    for b in _export(cli, "bookings"):
        if not first <= b["start"][:10] <= last:
            continue
        activity = activities.get((b["centre"], b["activity"])) if b["activity"] else None
        focus = activity["focus"] or None if activity else None
        g = groups[focus]
        seen[focus].add((b["centre"], b["activity"]) if b["activity"] else ("one-off", b["centre"], b["room"], b["start"]))
        held = b["status"] == "active" and b["start"][:10] <= today
        if b["status"] == "cancelled":
            g["sessions_cancelled"] += 1
        if not held:
            continue
        g["sessions_held"] += 1
        start, end = (dt.datetime.fromisoformat(b[k]) for k in ("start", "end"))
        g["minutes"] += (end - start).total_seconds() / 60
        a = attendance.get((b["centre"], b["room"], b["title"], b["start"]))
        if a:
            g["sessions_with_attendance"] += 1
            g["attendance_total"] += int(a["count"])
            g["new_participants"] += int(a["new"] or 0)
    result = {}
    for focus, g in groups.items():
        result[focus] = {
            "activities": len(seen[focus]), "sessions_held": g["sessions_held"], "sessions_cancelled": g["sessions_cancelled"],
            "hours": round(g["minutes"] / 60, 2), "sessions_with_attendance": g["sessions_with_attendance"],
            "attendance_total": g["attendance_total"], "new_participants": g["new_participants"],
            "attendance_average": round(g["attendance_total"] / g["sessions_with_attendance"], 2)
            if g["sessions_with_attendance"] else None,
        }
    return result


def test_report_json_equals_an_independent_computation_from_the_exports(cli, term):
    report = cli("report", "--from", "2026-08-01", "--until", "2026-12-31", "--json").json()
    expected = _independent(cli, "2026-08-01", "2026-12-31", TODAY)
    got = {g["group"]: {k: g[k] for k in expected[None]} for g in report}
    assert got == expected
    education = next(g for g in report if g["group"] == "education")
    assert education["age_bands"] == {"6-12": 9, "13-17": 5} and (education["female"], education["male"]) == (8, 6)
    assert education["capacity_use"] == round(25 / (3 * 60), 3)  # Salen seats 60; Køkkenet has no capacity
    employment = next(g for g in report if g["group"] == "employment")
    assert employment["cancelled_other"] == 1 and employment["cancelled_closure"] == 0
    assert employment["capacity_use"] is None
    # The autumn holiday closure came before the activities: its dates were never booked.
    assert education["skipped_closure"] == 1 and employment["skipped_closure"] == 1


def test_report_windows_scopes_and_groupings(cli, term):
    assert cli("report", "--quarter", "2026Q3", "--json").exit_code == 0
    season = cli("report", "--season", "2026/27", "--by", "category", "--json").json()
    assert {g["group"] for g in season} == {"learning", "employment", None}
    assert [g["label"] for g in season if g["group"] is None] == ["No activity"]  # one-off bookings, in the reader's language
    danish = cli("--lang", "da", "report", "--season", "2026/27", "--by", "category", "--json").json()
    assert [g["label"] for g in danish if g["group"] is None] == ["Uden aktivitet"]
    target = cli("report", "--season", "2026/27", "--by", "target", "--json").json()
    # life situations, else who an activity is for by age and gender; None only for one-off bookings
    assert {g["group"] for g in target} == {"job-seekers", "6-17", None}
    by_centre = cli("report", "--season", "2026/27", "--by", "centre", "--centre", "motalavej", "--json").json()
    assert [g["group"] for g in by_centre] == ["Kvarterhuset på Motalavej"]
    assert cli("report", "--season", "2026/27", "--area", "Gellerup", "--json").json() == []
    assert cli("report", "--area", "Nowhere").exit_code == 2
    bad = cli("report", "--by", "colour")
    assert bad.exit_code == 2 and "--by" in bad.stderr
    assert cli("report", "--season", "2026/28").exit_code == 2
    assert cli("report", "--season", "2026/27", "--quarter", "2026Q3").exit_code == 2
    table = cli("report", "--season", "2026/27")
    assert table.exit_code == 0 and "Education and life chances" in table.stdout and "█" in table.stdout
    flat = list(csv.DictReader(io.StringIO(cli("report", "--season", "2026/27", "--csv").stdout)))
    assert {r["group"] for r in flat} == {"education", "employment", ""}
    assert next(r for r in flat if r["group"] == "education")["age_bands"] == "6-12=9;13-17=5"
    excel = cli("report", "--season", "2026/27", "--excel").stdout_bytes
    assert excel.startswith("\ufeff".encode())
    header, first = excel.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("Gruppekode;Gruppe;Internt møde;Aktiviteter;Afholdte gange;")  # what Excel shows a Danish reader
    assert first.split(";")[2] == "nej"


def test_correcting_replaces_and_is_logged(cli, term, db_path):
    booking = term["lektie"][1]["id"]
    assert cli("attend", booking, "--count", "12").exit_code == 0
    stored = rows(db_path, "SELECT count, new FROM attendance WHERE booking_id = ?", [booking])
    assert stored == [{"count": 12, "new": None}]
    log = [c for c in cli("log", "--json").json() if c["action"] == "attend" and c["row_id"] == booking]
    assert log[-1]["old"]["count"] == 11 and log[-1]["new"]["count"] == 12
    assert cli("attend", booking, "--clear").exit_code == 0
    assert rows(db_path, "SELECT * FROM attendance WHERE booking_id = ?", [booking]) == []


@pytest.mark.parametrize("args, code, says", [
    (("cancelled", "--count", "5"), 1, "cancelled"),
    (("future", "--count", "5"), 1, "future"),
    (("held", "--count", "-3"), 2, "--count"),
    (("held", "--count", "5", "--new", "6"), 2, "--new"),
    (("held", "--count", "5", "--female", "3", "--male", "3"), 2, "--male"),
    (("held", "--count", "5", "--age-band", "0-5=3,4-9=1"), 2, "overlap"),
    (("held", "--count", "5", "--age-band", "baby=3"), 2, "--age-band"),
    (("99999", "--count", "5"), 2, "no booking"),
])
def test_refused_registrations_leave_the_file_unchanged(cli, term, db_path, args, code, says):
    ids = {"cancelled": term["cancelled"]["id"], "future": term["lektie"][-1]["id"], "held": term["lektie"][3]["id"]}
    before = dump(db_path)
    result = cli("attend", str(ids.get(args[0], args[0])), *args[1:])
    assert result.exit_code == code and says in result.stderr, result.stderr
    assert dump(db_path) == before


def test_lines_from_a_script_all_or_nothing(cli, term, db_path, tmp_path):
    held = term["lektie"][3]
    day = held["start"][:10]
    before = dump(db_path)
    bad = cli("attend", "--on", day, input=f"booking,count\n{held['id']},9\n{term['job'][3]['id']},4\n")
    assert bad.exit_code == 2 and "stdin: row 3" in bad.stderr
    assert dump(db_path) == before
    good = cli("attend", "--on", day, input=f"{held['id']},9\n")
    assert good.exit_code == 0, good.stderr
    assert rows(db_path, "SELECT count FROM attendance WHERE booking_id = ?", [held["id"]]) == [{"count": 9}]
    lines = tmp_path / "lines.csv"
    lines.write_text(f"{term['job'][3]['id']};7\n", encoding="utf-8")
    assert cli("attend", "--file", lines).exit_code == 0


def test_import_refuses_cancelled_and_future_and_round_trips(cli, term, db_path, tmp_path, monkeypatch):
    exported = cli("export", "csv", "attendance").stdout
    header = exported.splitlines()[0]
    cancelled, future = term["cancelled"], term["lektie"][-1]
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "\n" + "\n".join(
        f"Kvarterhuset på Motalavej,{b['room']},{b['title']},{b['start']},3,,,,," for b in (cancelled, future)) + "\n",
        encoding="utf-8")
    before = dump(db_path)
    result = cli("import", "csv", "attendance", bad)
    assert result.exit_code == 2 and "bad.csv: row 2, column start" in result.stderr and "row 3" in result.stderr
    assert dump(db_path) == before
    folder = tmp_path / "all"
    assert cli("export", "csv", "--all", "-o", folder).exit_code == 0
    report = cli("report", "--season", "2026/27", "--json").json()
    monkeypatch.setenv("MEDBORGER_DB", str(tmp_path / "copy.db"))
    assert cli("import", "csv", "--all", folder, "--allow-conflicts").exit_code == 0
    assert cli("export", "csv", "attendance").stdout == exported
    assert cli("report", "--season", "2026/27", "--json").json() == report


def test_focus_areas_follow_the_funding_period(cli, house):
    assert cli("edit", "centre", "motalavej", "--period", "2015-18").exit_code == 0
    args = ("add-activity", "Forældrecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "rådgivning", "-g",
            "forældre", "-d", "onsdag", "--start", "10:00", "--end", "11:00", "--from", "2026-08-12", "--until", "2026-09-30")
    refused = cli(*args, "--focus", "cohesion")
    assert refused.exit_code == 2 and "--focus" in refused.stderr and "prevention-parenting" in refused.stderr
    assert cli(*args, "--focus", "forældreansvar").exit_code == 0
    assert cli("add-centre", "Nyt hus", "--type", "andet", "--municipality", "Aarhus", "--period", "2019").exit_code == 0
    assert cli("add-centre", "Andet hus", "--type", "andet", "--municipality", "Aarhus", "--period", "1999").exit_code == 2


def test_the_sample_shows_a_meaningful_report(cli, monkeypatch):
    monkeypatch.setenv("MEDBORGER_TODAY", "2026-11-27")
    assert cli("load-sample").exit_code == 0
    report = cli("report", "--season", "2026/27", "--json").json()
    assert {g["group"] for g in report} >= {"education", "employment", "crime-prevention", "cohesion"}
    assert all(g["sessions_with_attendance"] > 0 and g["attendance_total"] > 0 for g in report)


def _report_page(cli, tmp_path, *args: str) -> str:
    page = tmp_path / f"rapport-{len(list(tmp_path.iterdir()))}.html"
    result = cli(*args[:args.index("report")], "report", "--season", "2026/27", *args[args.index("report") + 1:], "--html", "-o", page)
    assert result.exit_code == 0, result.stderr
    return page.read_text(encoding="utf-8")


def _words(page: str) -> str:
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))).split())


DANISH_REPORT_WORDS = (
    "Rapport", "Periode", "afholdt til og med", "Omfang", "Grupperet efter", "Udskrevet", "I alt", "Aktiviteter for beboerne",
    "Interne møder", "Aktiviteter", "Afholdt", "Aflyst", "Timer", "Registreret", "Deltagere", "Gns. pr. gang", "Nye",
    "Kapacitetsudnyttelse", "Ikke afholdt", "Sprunget over", "Planlagt senere", "Hvem blev nået", "Kvinder/piger",
    "Mænd/drenge", "år", "hele kommunen", "område", "Deltagelse registreres", "Indsatsområde",
)
ENGLISH_REPORT_WORDS = (
    "Report", "Period", "held up to", "Scope", "Grouped by", "Printed", "In all", "Resident activities", "Internal meetings",
    "Activities", "Held", "Cancelled", "Hours", "Registered", "Attendance", "Average", "New", "Capacity", "Not held",
    "Skipped", "Planned later", "Who was reached", "Women/girls", "Men/boys", "years", "the whole municipality", "area",
    "Focus area",
)


def _found(words: tuple[str, ...], text: str) -> list[str]:
    """The whole words or phrases of `words` that `text` has (`Period` is not in `Periode`)."""
    import re

    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


def test_the_report_page_is_in_english_in_the_english_interface(cli, term, tmp_path):
    page = _report_page(cli, tmp_path, "report")
    words = _words(page)
    assert '<html lang="en">' in page and "<title>Report to the steering group 2026-08-10 – 2027-07-04</title>" in page
    assert "Period: 2026-08-10 – 2027-07-04 (held up to and including 2026-09-20)" in words
    assert "Scope: the whole municipality · Grouped by: focus area · Printed 20.09.2026" in words
    assert "In all: 3 activities, 12 sessions held, 1 cancelled, 28.5 hours, 76 participants at 6 registered sessions, 11 of them new." in words
    assert "Resident activities" in words and "Not held" in words and "Who was reached (at the registered sessions)" in words
    for header in ("Focus area", "Activities", "Held", "Cancelled", "Hours", "Registered", "Attendance", "Average per session",
                   "New", "Capacity use", "Cancelled by a closure", "Cancelled otherwise", "Skipped: public holiday",
                   "Skipped: closure", "Planned later", "Women/girls", "Men/boys", "6–12 years", "18–29 years"):
        assert f"<th>{header}</th>" in page, header
    assert "<td>12.5</td>" in page and "%</td>" in page and " %</td>" not in page  # 12.5 hours; 43%
    assert "Attendance is registered as a number per session held" in words
    assert not _found(DANISH_REPORT_WORDS, words)
    scoped = _words(_report_page(cli, tmp_path, "report", "--centre", "motalavej", "--area", "Motalavej", "--by", "centre"))
    assert "Scope: Kvarterhuset på Motalavej · area Motalavej · Grouped by: community centre" in scoped
    empty = _words(_report_page(cli, tmp_path, "report", "--area", "Gellerup"))
    assert "Scope: area Gellerup" in empty and "No activities in the period." in empty


def test_the_report_page_is_in_danish_in_the_danish_interface(cli, term, tmp_path):
    page = _report_page(cli, tmp_path, "--lang", "da", "report")
    words = _words(page)
    assert '<html lang="da">' in page and "<title>Rapport til styregruppen 2026-08-10 – 2027-07-04</title>" in page
    assert "Periode: 2026-08-10 – 2027-07-04 (afholdt til og med 2026-09-20)" in words
    assert "Omfang: hele kommunen · Grupperet efter: indsatsområde · Udskrevet 20.09.2026" in words
    assert "I alt: 3 aktiviteter, 12 afholdte gange, 1 aflyste, 28,5 timer, 76 deltagere ved 6 registrerede gange, heraf 11 nye." in words
    assert "Aktiviteter for beboerne" in words and "Ikke afholdt" in words and "Hvem blev nået (ved de registrerede gange)" in words
    for header in ("Indsatsområde", "Aktiviteter", "Afholdt", "Aflyst", "Timer", "Registreret", "Deltagere", "Gns. pr. gang",
                   "Nye", "Kapacitetsudnyttelse", "Aflyst pga. lukning", "Aflyst i øvrigt", "Sprunget over: helligdag",
                   "Sprunget over: lukkeperiode", "Planlagt senere", "Kvinder/piger", "Mænd/drenge", "6–12 år", "18–29 år"):
        assert f"<th>{header}</th>" in page, header
    assert "<td>12,5</td>" in page and " %</td>" in page
    assert "Deltagelse registreres som antal pr. afholdt gang" in words
    assert not _found(ENGLISH_REPORT_WORDS, words)
    scoped = _words(_report_page(cli, tmp_path, "--lang", "da", "report", "--centre", "motalavej", "--area", "Motalavej", "--by", "centre"))
    assert "Omfang: Kvarterhuset på Motalavej · område Motalavej · Grupperet efter: medborgercenter" in scoped
    empty = _words(_report_page(cli, tmp_path, "--lang", "da", "report", "--area", "Gellerup"))
    assert "Omfang: område Gellerup" in empty and "Ingen aktiviteter i perioden." in empty


def test_the_report_pages_figures_and_escaping_in_both_languages(monkeypatch):
    from medborger_cli import i18n, output

    group = {"label": "Uddannelse <og> livschancer", "internal": False, "activities": 1234, "sessions_held": 2345,
             "sessions_cancelled": 0, "hours": 4567.5, "sessions_with_attendance": 1000, "attendance_total": 12345,
             "attendance_average": 12.25, "new_participants": 1001, "capacity_use": 0.4321, "cancelled_closure": 0,
             "cancelled_other": 0, "skipped_holiday": 1, "skipped_closure": 2, "sessions_planned": 3, "female": 1500,
             "male": 1400, "age_bands": {"6-12": 1100, "65-": 14}}
    report = {"first": "2026-08-10", "last": "2027-07-04", "held_until": "2026-11-30", "by": "focus", "groups": [group],
              "total": {k: group[k] for k in ("activities", "sessions_held", "sessions_cancelled", "hours", "attendance_total",
                                              "sessions_with_attendance", "new_participants")}}
    page = output.report_html(report, scope="Huset <b>&</b> co", generated="30.11.2026")
    assert "<td>1,234</td>" in page and "<td>4,567.5</td>" in page and "<td>12.2</td>" in page and "<td>43%</td>" in page
    assert ">12,345</text>" in page and "<th>65+ years</th>" in page and "<td>1,100</td>" in page
    assert "Scope: Huset &lt;b&gt;&amp;&lt;/b&gt; co ·" in page and "<b>" not in page
    assert "Uddannelse &lt;og&gt; livschancer" in page and "<og>" not in page
    monkeypatch.setenv("MEDBORGER_LANG", "da")
    i18n.use(None)
    page = output.report_html(report, scope="Huset <b>&</b> co", generated="30.11.2026")
    assert "<td>1.234</td>" in page and "<td>4.567,5</td>" in page and "<td>12,2</td>" in page and "<td>43 %</td>" in page
    assert ">12.345</text>" in page and "<th>65+ år</th>" in page and "<td>1.100</td>" in page
    assert "Omfang: Huset &lt;b&gt;&amp;&lt;/b&gt; co ·" in page and "<b>" not in page


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")) or not shutil.which("pdftotext"),
                    reason="needs chromium and pdftotext")
def test_html_report_prints_every_groups_figures(cli, term, tmp_path):
    page = tmp_path / "rapport.html"
    result = cli("report", "--season", "2026/27", "--html", "-o", page)
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert cli("report", "--season", "2026/27", "--html", "-o", page).exit_code == 2  # exists: --overwrite
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    pdf = tmp_path / "rapport.pdf"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Report to the steering group" in text
    for g in cli("report", "--season", "2026/27", "--json").json():
        line = next(line for line in text.splitlines() if line.strip().startswith(g["label"]))
        numbers = line.split()[len(g["label"].split()):]
        assert numbers[:3] == [str(g["activities"]), str(g["sessions_held"]), str(g["sessions_cancelled"])], line
        assert str(g["attendance_total"]) in numbers and str(g["new_participants"]) in numbers, line


@pytest.mark.slow
def test_today_at_a_terminal_walks_the_days_sessions(cli, term, db_path):
    from test_prompts import ENTER, finish, spawn

    day = term["lektie"][1]["start"][:10]  # Monday 17 August: Lektiecafé (registered: 11)
    tuesday = term["job"][1]["start"][:10]
    child = spawn(db_path, "attend", "--today", env={"MEDBORGER_TODAY": tuesday})
    child.expect("how many took part")
    child.send("abc" + ENTER)
    child.expect("not a number of participants")
    child.send("\x7f" * 3 + "8" + ENTER)
    child.expect("Registered 1 session of 1")
    assert finish(child) == 0
    assert rows(db_path, "SELECT count FROM attendance WHERE booking_id = ?", [term["job"][1]["id"]]) == [{"count": 8}]
    child = spawn(db_path, "attend", "--on", day, env={"MEDBORGER_TODAY": TODAY})
    child.expect(r"registered: 11")
    child.send(ENTER)  # Enter skips it
    child.expect("Registered 0 sessions of 1")
    assert finish(child) == 0
    assert rows(db_path, "SELECT count FROM attendance WHERE booking_id = ?", [term["lektie"][1]["id"]]) == [{"count": 11}]
