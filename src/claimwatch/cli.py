"""The ``claimwatch`` command: run, once, check, alerts, scan, status, migrate, report,
replay, demo, claims, baseline draft, feeds (list, import, export, add), init. ``alerts
confirm|dismiss|seen`` and ``claims mute|close|open`` record an analyst's calls (triagecmd.py).

Commands import what they need when they run, so ``--help`` and ``check`` stay quick.

Exit codes: 0 done; 1 state or other runtime failure (also: the SQLite state is in use by
another writer, or missing where there is evidence of one); 2 invalid input (config,
baseline, arguments); ``once`` only: 3 every feed polled failed, 4 a delivery was refused
(ONCE_EXIT_CODES; 3 wins when both hold); ``alerts test`` and ``check --connect``: 4 a sink
did not take the test alert, or the SMTP session failed (sinkcheck.py).

Alerts may go to stdout (``[alerts.log] path = "-"``), so every other message goes to stderr,
except the output a command exists to print (check, alerts, scan, status, ``report --out -``).
Long commands (once, replay) show progress on stderr: a bar on a terminal, log lines
elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from claimwatch import __version__
from claimwatch.baselines import Baseline
from claimwatch.config import Config, default_config_path
from claimwatch.errors import ClaimwatchError, InputError
from claimwatch.exits import EXIT_FAILURE, EXIT_FEEDS_FAILED, EXIT_INPUT, EXIT_OK, EXIT_REFUSED
from claimwatch.journald import for_stderr
from claimwatch.locations import SEARCH_ORDER
from claimwatch.logs import log_event, setup_logging

ONCE_EXIT_CODES = f"""exit status:
  {EXIT_OK}  done: a feed answered (or none is enabled) and no delivery was refused
  {EXIT_FAILURE}  state failure: unwritable, in use by another claimwatch (its pid is named),
     missing where there is evidence of one (see migrate --fresh), too little free space
  {EXIT_INPUT}  invalid config or baseline, or nothing to watch (a baseline folder without a
     baseline file, a baseline without a claim)
  {EXIT_FEEDS_FAILED}  every feed polled failed (disabled feeds do not count)
  {EXIT_REFUSED}  a delivery was refused for good (a 5xx reply, an outcome unknown too often);
     `claimwatch alerts` lists it, `alerts --retry` re-queues it
"""
ALERTS_TEST_EXIT_CODES = (
    f"exit status: {EXIT_OK} every sink took the test alert, {EXIT_INPUT} invalid config or "
    f"--sink, {EXIT_REFUSED} a sink did not take it"
)
VERDICT_EXIT_CODES = (
    f"exit status: {EXIT_OK} recorded, {EXIT_INPUT} an alert id unknown or ambiguous (then "
    "nothing is recorded), or invalid config"
)
SECRET_WORDS = ("password", "secret", "token", "key")

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose - args.quiet, args.log_format)
    handler: Handler = args.handler
    try:
        return handler(args)
    except InputError as exc:
        print(for_stderr(f"claimwatch {args.command}: invalid input:\n{exc}"), file=sys.stderr)
        return EXIT_INPUT
    except ClaimwatchError as exc:
        print(for_stderr(f"claimwatch {args.command}: {exc}"), file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into e.g. ``head``, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


# ---- arguments ---------------------------------------------------------------------------


def _common(suppress: bool) -> argparse.ArgumentParser:
    """-v/-q/--log-format, accepted before and after the subcommand.

    The subcommands' copies default to SUPPRESS so that they never overwrite a value given
    before the subcommand.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", action="count", default=default(0), help="more log output (repeatable)"
    )
    common.add_argument(
        "-q", "--quiet", action="count", default=default(0), help="less log output (repeatable)"
    )
    common.add_argument(
        "--log-format",
        choices=("auto", "text", "json"),
        default=default("auto"),
        help="log lines as text or JSON (auto: text on a terminal)",
    )
    return common


def _with_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"config file (found in this order: {SEARCH_ORDER})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimwatch",
        description="Watch news feeds for coverage that contradicts or follows up a baseline.",
        epilog=f"The config is found in this order: {SEARCH_ORDER}. "
        "`claimwatch init` writes a starter config.",
        parents=[_common(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"claimwatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common(suppress=True)

    def command(name: str, handler: Handler, text: str, **extra: Any) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=text, description=text, parents=[common], **extra)
        cmd.set_defaults(handler=handler)
        return cmd

    _with_config(command("run", _cmd_run, "run the service: poll feeds on schedule"))
    once = "poll every feed once, deliver alerts, exit"
    raw = argparse.RawDescriptionHelpFormatter
    _with_config(command("once", _cmd_once, once, epilog=ONCE_EXIT_CODES, formatter_class=raw))
    check = command("check", _cmd_check, "validate the config and every baseline")
    _with_config(check)
    check.add_argument("--dump", action="store_true", help="print the effective config")
    check.add_argument(
        "--connect",
        action="store_true",
        help="also open the email sink's SMTP session (EHLO, TLS, AUTH) and quit without "
        "sending; exit 4 when it fails",
    )
    listing = command("alerts", _cmd_alerts, "list recent alerts and their delivery state")
    _with_config(listing)
    listing.add_argument("--limit", type=_positive, default=20, metavar="N", help="default 20")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.add_argument(
        "--retry",
        action="store_true",
        help="re-queue failed and refused deliveries (sent at the next drain), then list",
    )
    _alerts_commands(listing, common)
    scan = command("scan", _cmd_scan, "match one article (file or URL) against the baselines")
    _with_config(scan)
    scan.add_argument("source", metavar="PATH_OR_URL", help="a text or HTML file, or a URL")
    scan.add_argument("--json", action="store_true", help="print findings as JSON")
    scan.add_argument(
        "--explain",
        action="store_true",
        help="say why every baseline and claim did or did not fire (-v does too)",
    )
    scan.add_argument(
        "--published",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the article's publication date (a baseline's since applies to it)",
    )
    status = command("status", _cmd_status, "show feeds, the outbox and claims (read-only)")
    _with_config(status)
    status.add_argument("--json", action="store_true", help="print one JSON document")
    migrate = command("migrate", _cmd_migrate, "bring the state database to this version")
    _with_config(migrate)
    migrate.add_argument(
        "--fresh",
        action="store_true",
        help="start over on purpose: accept the state as it is now (a new, empty one where it "
        "is missing or empty), although the marker beside it or the alert log speaks of "
        "another; alerts still in the feeds are then detected again",
    )
    report = command("report", _cmd_report, "write the claim status page as one HTML file")
    _with_config(report)
    report.add_argument(
        "--out", required=True, metavar="FILE", help="the HTML file to write (- for stdout)"
    )
    replay = command(
        "replay",
        _cmd_replay,
        "run saved feeds and articles through the detector in publication order",
    )
    _with_config(replay)
    replay.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="folders (searched recursively) or files: .xml/.rss/.atom feeds, .html/.htm "
        "pages, .txt articles, .jsonl/.json article exports",
    )
    replay.add_argument(
        "--deliver",
        action="store_true",
        help="send the new alerts to the configured sinks (default: store them only)",
    )
    demo = command("demo", _cmd_demo, "run the bundled offline demo")
    _with_config(demo)
    demo.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the state, the alert log and a config naming them in DIR (new or empty), "
        "for `claimwatch report` and the other commands",
    )
    claims = command("claims", _cmd_claims, "list claims with their state and verdict counts")
    _with_config(claims)
    _claims_commands(claims, common)
    _baseline_commands(command("baseline", _cmd_baseline, "baselines: draft, suggest"), common)
    feeds = command("feeds", _cmd_feeds, "list, add, import and export feeds (OPML)")
    _feeds_commands(feeds, common)
    _init_command(command("init", _cmd_init, "write a starter config, baselines and unit"))
    return parser


def _init_command(init: argparse.ArgumentParser) -> None:
    init.add_argument(
        "dir", nargs="?", default=".", metavar="DIR", help="where to write (default: here)"
    )
    init.add_argument("--force", action="store_true", help="replace existing starter files")
    init.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="only print where this installation keeps the starter files",
    )


def _baseline_commands(baseline: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    text = "draft a baseline from an article (file or URL): candidate claims to review"
    sub = baseline.add_subparsers(dest="baseline_command", required=True, metavar="COMMAND")
    draft = sub.add_parser("draft", help=text, description=text, parents=[common])
    draft.set_defaults(handler=_cmd_baseline_draft)
    _with_config(draft)
    draft.add_argument("source", metavar="PATH_OR_URL", help="a text or HTML file, or a URL")
    draft.add_argument("--id", metavar="ID", help="the baseline id (default: from the title)")
    draft.add_argument("--out", metavar="FILE", help="the YAML file to write (default: stdout)")
    draft.add_argument("--force", action="store_true", help="replace an existing --out file")
    text = "propose edits to a baseline from the verdicts on its alerts, as a diff"
    suggest = sub.add_parser("suggest", help=text, description=text, parents=[common])
    suggest.set_defaults(handler=_cmd_baseline_suggest)
    _with_config(suggest)
    suggest.add_argument("baseline", metavar="BASELINE", help="a baseline file, or its id")
    suggest.add_argument("--write", action="store_true", help="apply the edits to the file")


def _alerts_commands(alerts: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """``alerts test``; plain ``alerts [--limit N] [--json] [--retry]`` lists, as before."""
    text = "send one marked test alert through every configured sink now and print each outcome"
    sub = alerts.add_subparsers(dest="alerts_command", required=False, metavar="ACTION")
    test = sub.add_parser(
        "test", help=text, description=text, parents=[common], epilog=ALERTS_TEST_EXIT_CODES
    )
    test.set_defaults(handler=_cmd_alerts_test)
    _with_config(test)
    test.add_argument("--sink", metavar="NAME", help="only this sink (log, email, apprise)")
    _verdict_commands(sub, common)


def _verdict_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """``alerts confirm|dismiss|seen ALERT_ID...``: an analyst's verdict (triagecmd.py)."""
    from claimwatch.verdicts import DISMISS_REASONS

    texts = {
        "confirm": "mark alerts as right: they count, and show as confirmed",
        "dismiss": "mark alerts as false alarms: they no longer count toward their claim",
        "seen": "mark alerts as looked at, without a call on them",
    }
    for name, text in texts.items():
        cmd = sub.add_parser(
            name, help=text, description=text, parents=[common], epilog=VERDICT_EXIT_CODES
        )
        cmd.set_defaults(handler=_cmd_verdict)
        _with_config(cmd)
        cmd.add_argument(
            "alert_ids", nargs="+", metavar="ALERT_ID", help="an alert id or a unique prefix"
        )
        if name == "dismiss":
            cmd.add_argument("--reason", choices=DISMISS_REASONS, help="why it is a false alarm")
        _by_and_note(cmd)


def _by_and_note(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--note", metavar="TEXT", help="a free-text note kept with the call")
    cmd.add_argument("--by", metavar="NAME", help="who makes the call (default: the login name)")


def _claims_commands(claims: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """``claims`` lists; ``claims mute|close|open BASELINE_ID/CLAIM_ID...`` (triagecmd.py)."""
    claims.add_argument("--json", action="store_true", help="one JSON object per claim")
    sub = claims.add_subparsers(dest="claims_command", required=False, metavar="ACTION")
    texts = {
        "mute": "keep storing a claim's new alerts but deliver none",
        "close": "mark a claim resolved (say how with --note): its new alerts are not delivered",
        "open": "undo mute or close: new alerts are delivered again",
    }
    for name, text in texts.items():
        cmd = sub.add_parser(name, help=text, description=text, parents=[common])
        cmd.set_defaults(handler=_cmd_claims)
        _with_config(cmd)
        cmd.add_argument("claims", nargs="+", metavar="BASELINE_ID/CLAIM_ID")
        _by_and_note(cmd)


def _feeds_commands(feeds: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="COMMAND")

    def feeds_command(name: str, text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=text, description=text, parents=[common])
        cmd.set_defaults(handler=_cmd_feeds)
        _with_config(cmd)
        return cmd

    feeds_command("list", "every feed: name, interval, enabled, source (config or OPML), URL")
    imported = feeds_command("import", "add the feeds of an OPML file to the config")
    imported.add_argument("file", type=Path, metavar="FILE.opml", help="a feed reader's export")
    imported.add_argument(
        "--link",
        action="store_true",
        help="add the file to opml = [...] instead: read again at every start and reload",
    )
    exported = feeds_command("export", "write every feed as OPML 2.0, for feed readers")
    exported.add_argument("--out", metavar="FILE", help="the file to write (default: stdout)")
    add = feeds_command("add", "add a feed by its URL or its site's address")
    add.add_argument("url", metavar="URL", help="a feed, or a page that names its feed")
    add.add_argument("--name", metavar="NAME", help="default: from the feed's title")
    add.add_argument("--interval", metavar="DURATION", help="default: [feed_defaults] or 15m")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _inputs(args: argparse.Namespace) -> tuple[Config, tuple[Baseline, ...]]:
    from claimwatch.inputs import load_inputs

    return load_inputs(args.config or default_config_path())


# ---- commands ----------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace) -> int:
    from claimwatch.daemon import Daemon
    from claimwatch.inputs import require_claims

    config, baselines = require_claims(_inputs(args))
    return asyncio.run(Daemon(config, baselines).run())


def _cmd_once(args: argparse.Namespace) -> int:
    from claimwatch.inputs import require_claims
    from claimwatch.pipeline import active_feeds, run_once
    from claimwatch.progress import track

    config, baselines = require_claims(_inputs(args))
    with track(len(active_feeds(config)), "once") as progress:
        report = asyncio.run(
            run_once(config, baselines, on_feed_done=lambda r: progress.advance(feed=r.feed))
        )
    failed = report.failed_feeds
    refused = report.deliveries.refused
    problems = [f"{failed} feeds failed"] if failed else []
    problems += [f"{refused} deliveries refused"] if refused else []
    code = EXIT_FEEDS_FAILED if report.all_feeds_failed else EXIT_REFUSED if refused else EXIT_OK
    log_event(
        logging.getLogger("claimwatch.cli"),
        "run.once",
        level=logging.ERROR if code else logging.INFO,
        status="done" if code == EXIT_OK else "failed",
        count=sum(r.alerts for r in report.feeds),
        error="; ".join(problems) or None,
    )
    return code


def _cmd_check(args: argparse.Namespace) -> int:
    from claimwatch.feedlist import feed_source
    from claimwatch.inputs import empty_baselines, load_inputs
    from claimwatch.locations import find_config
    from claimwatch.sinkcheck import check_email, email_warnings
    from claimwatch.sinks import SINKS, enabled_sinks
    from claimwatch.webaccess import describe

    found = find_config(args.config)
    config, baselines = load_inputs(found.path)
    warnings = [p.render(str(config.path)) for p in empty_baselines(config, baselines)]
    warnings += [f"alerts.email: {warning}" for warning in email_warnings(config)]
    print_warnings(warnings)
    if args.dump:
        print(json.dumps(redact(config.model_dump(mode="json")), indent=2))
        return EXIT_OK
    print(f"config: {config.path} (from {found.source})")
    print(f"state: {config.state_display}")
    enabled = [f for f in config.feeds if f.enabled]
    print(f"feeds: {len(config.feeds)} ({len(enabled)} enabled)")
    for feed in config.feeds:
        flag = "" if feed.enabled else " (disabled)"
        every = duration_text(feed.interval)
        source = feed_source(config, feed)
        origin = "" if source == "config" else f", from {source}"
        print(f"  {feed.name}: {feed.url} every {every}, fetch {feed.fetch_articles}{origin}{flag}")
    claims = sum(len(b.claims) for b in baselines)
    print(f"baselines: {len(baselines)}, claims: {claims}")
    for baseline in baselines:
        print(f"  {baseline.id}: {len(baseline.claims)} claims ({baseline.path})")
    on = enabled_sinks(config)
    print("sinks: " + ", ".join(f"{name} ({'on' if name in on else 'off'})" for name in SINKS))
    if config.alerts.log is not None:
        print(f"  log: {config.alert_log_path or 'stdout'}")
    print("\n".join(describe(config.http)))
    if (code := check_email(config, connect=args.connect)) != EXIT_OK:
        return code
    print("ok")
    return EXIT_OK


def print_warnings(warnings: Sequence[str]) -> None:
    """Valid but likely not meant: one ``warning: ...`` line each on stderr (the exit status
    stays 0, and ``check --dump`` keeps printing JSON alone on stdout)."""
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def duration_text(seconds: float) -> str:
    """``900`` -> ``15m``; the largest unit that divides the duration exactly."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def redact(value: Any) -> Any:
    """The dumped config with the values of secret-looking keys hidden."""
    if isinstance(value, dict):
        return {
            k: "***" if any(w in k.lower() for w in SECRET_WORDS) and v else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _cmd_migrate(args: argparse.Namespace) -> int:
    """Daemons migrate on start too (under a lock); this is for doing it first, on purpose."""
    from claimwatch.config import load_config
    from claimwatch.store import migrate

    print(migrate(load_config(args.config or default_config_path()), fresh=args.fresh))
    return EXIT_OK


def _cmd_alerts(args: argparse.Namespace) -> int:
    from claimwatch.config import load_config
    from claimwatch.store import open_store
    from claimwatch.triage import Triage

    config = load_config(args.config or default_config_path())
    if config.state_missing:
        print(f"no alerts yet ({config.state_display} does not exist)", file=sys.stderr)
        return EXIT_OK
    store = open_store(config.state_location)
    try:
        if args.retry:
            count = store.requeue_failed()
            print(
                f"re-queued {count} deliveries: a running service sends them at its next outbox "
                "drain (within a minute), or run `claimwatch once`",
                file=sys.stderr,
            )
        statuses = store.recent_alerts(args.limit)
        triage = Triage(store.verdicts(s.alert.alert_id for s in statuses), store.claim_states())
    finally:
        store.close()
    for status in statuses:
        _print_alert(status, triage, as_json=args.json)
    return EXIT_OK


def _cmd_alerts_test(args: argparse.Namespace) -> int:
    from claimwatch.config import load_config
    from claimwatch.sinkcheck import alerts_test

    return alerts_test(load_config(args.config or default_config_path()), args.sink)


def _print_alert(status: Any, triage: Any, *, as_json: bool) -> None:
    from claimwatch.alerts import to_json
    from claimwatch.triage import state_text, verdict_json, verdict_text
    from claimwatch.verdicts import AUTOMATIC_BY

    alert = status.alert
    verdict = triage.verdict(alert)
    if as_json:
        states = {d.sink: d.state for d in status.deliveries}
        record = {**to_json(alert), "deliveries": states, "verdict": verdict_json(verdict)}
        print(json.dumps(record, ensure_ascii=False))
        return
    novel = "new" if alert.novel else "repeat"
    print(
        f"{alert.detected_at:%Y-%m-%d %H:%M} {alert.kind} {alert.baseline_id}/"
        f"{alert.claim_id} ({novel}) [{alert.feed}] {alert.article_title}"
    )
    print(f"    {alert.alert_id} {alert.article_url or '-'}")
    if alert.why is not None:
        from claimwatch.why import line

        print(f"    why: {line(alert.why)}")
    deliveries = ", ".join(_delivery_text(d) for d in status.deliveries)
    none = "no deliveries (replayed without --deliver, or no sink configured)"
    if hold := triage.hold(alert.baseline_id, alert.claim_id):
        none = f"no deliveries (the claim is {state_text(hold)})"
    if verdict is not None and verdict.by == AUTOMATIC_BY:
        none = "no deliveries (held back: it repeats a dismissed alert)"
    print("    " + (deliveries or none))
    if verdict is not None:
        print(f"    {verdict_text(verdict)}")


def _delivery_text(delivery: Any) -> str:
    text = f"{delivery.sink}: {delivery.state}"
    if delivery.state == "failed" and delivery.next_attempt is not None:
        text += f" ({delivery.attempts} attempts, next {delivery.next_attempt:%Y-%m-%d %H:%M} UTC"
        text += f": {delivery.last_error})" if delivery.last_error else ")"
    elif delivery.state == "refused" and delivery.last_error:
        text += f" ({delivery.attempts} attempts: {delivery.last_error})"
    return text


def _cmd_verdict(args: argparse.Namespace) -> int:
    from claimwatch.triagecmd import record_verdicts

    return record_verdicts(args)


def _cmd_claims(args: argparse.Namespace) -> int:
    from claimwatch.triagecmd import claims

    return claims(args)


def _cmd_scan(args: argparse.Namespace) -> int:
    from claimwatch.scan import scan, show

    config, baselines = _inputs(args)
    published = datetime.combine(args.published, time(), UTC) if args.published else None
    findings, why = asyncio.run(scan(args.source, config, baselines, published))
    explain = args.explain or args.verbose > 0
    print(show(findings, as_json=args.json, explanation=why, explain=explain))
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    from claimwatch.sinks import enabled_sinks
    from claimwatch.status import console_for, read_snapshot, render

    config, baselines = _inputs(args)
    snapshot = read_snapshot(config)
    if args.json:
        from claimwatch.status_json import dumps, status_document

        now = datetime.now(UTC)
        print(dumps(status_document(config, baselines, snapshot, enabled_sinks(config), now)))
        return EXIT_OK
    render(console_for(sys.stdout), config, baselines, snapshot, enabled_sinks(config))
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from claimwatch.atomicfile import replace_file
    from claimwatch.report import build_report
    from claimwatch.status import read_snapshot
    from claimwatch.triage import NO_TRIAGE

    config, baselines = _inputs(args)
    snapshot = read_snapshot(config)
    alerts = snapshot.alerts if snapshot is not None else ()
    triage = snapshot.triage if snapshot is not None else NO_TRIAGE
    page = build_report(baselines, alerts, now=datetime.now(UTC), triage=triage)
    if args.out == "-":
        sys.stdout.write(page)
        sys.stdout.flush()
        return EXIT_OK
    replace_file(Path(args.out), page)
    print(f"report: {len(alerts)} alerts, written to {args.out}", file=sys.stderr)
    return EXIT_OK


def _cmd_replay(args: argparse.Namespace) -> int:
    from claimwatch.replay import replay_files

    def tell(problem: object) -> None:  # a file that cannot be used; the others go on
        print(f"claimwatch replay: {problem}", file=sys.stderr)

    config, baselines = _inputs(args)
    text = replay_files(config, baselines, args.paths, deliver=args.deliver, on_problem=tell)
    print(text, file=sys.stderr)
    return EXIT_OK


def _cmd_baseline(args: argparse.Namespace) -> int:  # argparse requires a subcommand
    return EXIT_INPUT


def _cmd_baseline_draft(args: argparse.Namespace) -> int:
    from claimwatch.draft.command import draft_from, write_draft

    draft = draft_from(args.source, baseline_id=args.id, config_path=args.config)
    print(write_draft(draft, args.out, force=args.force), file=sys.stderr)
    return EXIT_OK


def _cmd_baseline_suggest(args: argparse.Namespace) -> int:
    from claimwatch.suggestcmd import run

    return run(args)


def _cmd_feeds(args: argparse.Namespace) -> int:
    from claimwatch.feedcmd import run

    return run(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    """Serve bundled reports locally, run one pass, print alerts (the config's baselines, or
    the shipped ones when there is no config)."""
    from claimwatch.demo import demo_baselines, describe, next_commands, reports, run_demo

    baselines = demo_baselines(args.config)
    if args.verbose == 0:
        logging.getLogger("claimwatch").setLevel(logging.WARNING)  # the alerts are the output
    alerts = asyncio.run(run_demo(baselines, args.keep))
    print(f"claimwatch demo: {len(reports())} example reports, {len(alerts)} alerts\n")
    for alert in alerts:
        print(describe(alert))
    if args.keep is not None:
        print(next_commands(args.keep))
    return EXIT_OK


def _cmd_init(args: argparse.Namespace) -> int:
    from claimwatch.starter import cmd_init

    return cmd_init(args)
