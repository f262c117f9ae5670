"""Mutation testing of the modules that guard money and safety, one module at a time.

    .venv/bin/python bench/mutation.py [--module states ...] [--threshold 90] [--jobs 1]
                                       [--resume] [--report-only]

For each module, mutmut (configured in setup.cfg, [mutmut]) makes small changes to the code
inside its functions (a `<` becomes `<=`, a `True` becomes `False`, an argument is dropped…)
and runs, for each change, only the tests of that module's list below that call the changed
function, on SQLite. A mutant is killed when a test fails. The browser journeys (tests/e2e)
never run here.

Each module gets its own working directory, .mutation/<module>/ (git-ignored), whose
setup.cfg narrows mutmut to that module and its tests; mutmut keeps its mutated copy and its
results in .mutation/<module>/mutants/. Without --resume a module starts afresh; --resume
keeps the results and re-runs only the mutants not yet checked and the survivors not listed
as equivalent (after new tests were written, say); earlier kills are kept, since tests were
only added (mutmut itself forgets every result when the list of test files changes).

Prints one line per module: mutants, killed, survived, timeout, equivalent and the kill rate,
(killed + timeout) / (mutants - equivalent). A timeout counts as killed (the mutant made the
tests run far longer than they do, an endless loop for instance); survivors, mutants that no
test reaches and unfinished checks count against. Exits 1 when a module is below the
threshold (default 90%). `mutmut show <name>` in .mutation/<module>/ shows one mutant's diff.

Mutmut only mutates code inside functions: module-level tables (the transition table of
orders/states.py, say) are not mutated; their tests (tests/orders/test_state_table.py) pin
them row by row instead.
"""

from __future__ import annotations

import argparse
import configparser
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
MUTMUT = Path(sys.executable).with_name("mutmut")
#: What the tests import: linked into each module's working directory, copied by mutmut.
LINKED = (
    "app",
    "farms",
    "products",
    "orders",
    "traceability",
    "dashboard",
    "api",
    "demo",
    "bench",
    "stack",
    "deploy",
    "tests",
    "migrations",
)


@dataclass(frozen=True)
class Target:
    source: str
    tests: tuple[str, ...]


#: Each guarded module and the test files that matter for it.
TARGETS = {
    "states": Target(
        "orders/states.py",
        ("tests/orders/test_state_table.py", "tests/orders/test_states_edges.py"),
    ),
    "stock": Target(
        "orders/stock.py",
        (
            "tests/orders/test_cart_stock.py",
            "tests/orders/test_concurrency.py",
            "tests/orders/test_state_table.py",
            "tests/traceability/test_packing_season_and_preorders.py",
            "tests/orders/test_stock_edges.py",
        ),
    ),
    "bank_notifications": Target(
        "orders/bank_notifications.py",
        (
            "tests/orders/test_bank_notifications.py",
            "tests/orders/test_bank_notifications_edges.py",
            "tests/orders/test_order_mails.py",  # a matched credit mails the buyer
        ),
    ),
    "vietqr": Target(
        "orders/vietqr.py",
        ("tests/orders/test_vietqr.py", "tests/orders/test_vietqr_edges.py"),
    ),
    "chain": Target(
        "traceability/chain.py",
        (
            "tests/traceability/test_chain_tamper.py",
            "tests/traceability/test_batch_seal.py",
            "tests/traceability/test_chain_edges.py",
        ),
    ),
    "allocation": Target(
        "traceability/allocation.py",
        (
            "tests/traceability/test_packing_season_and_preorders.py",
            "tests/traceability/test_recall_stops_sales.py",
            "tests/traceability/test_allocation_edges.py",
        ),
    ),
    "outbox": Target(
        "app/messaging/delivery.py",
        ("tests/app/test_outbox_delivery.py", "tests/app/test_message_providers.py"),
    ),
    "one_time_codes": Target(
        "app/auth/one_time_codes.py",
        (
            "tests/app/test_one_time_codes.py",
            "tests/app/test_one_time_code_guards.py",
            "tests/app/test_phone_password_reset.py",
            "tests/app/test_confirm_contacts.py",
        ),
    ),
    "api_tokens": Target(
        "app/auth/api_tokens.py",
        (
            "tests/api/test_api_core.py",
            "tests/api/test_tokens.py",
            "tests/farms/test_api_keys.py",
            "tests/app/test_api_token_pages.py",
            "tests/app/test_api_token_service.py",
        ),
    ),
    "api_reach": Target(
        "api/reach.py",
        (
            "tests/api/test_api_core.py",
            "tests/api/test_farm_orders.py",
            "tests/api/test_operator_callers.py",
            "tests/api/test_operator_farms.py",
        ),
    ),
    "webhook_signing": Target(
        "app/webhooks/signing.py",
        ("tests/app/test_webhooks_signing.py", "tests/app/test_webhooks_delivery.py"),
    ),
    "ledger_audit": Target(
        "orders/ledger_audit.py",
        ("tests/orders/test_ledger_audit.py",),
    ),
    "voucher_rules": Target(
        "orders/vouchers/rules.py",
        (
            "tests/orders/vouchers/test_voucher_discounts.py",
            "tests/orders/vouchers/test_voucher_ledger_and_cancellation.py",
        ),
    ),
    "voucher_redemption": Target(
        "orders/vouchers/redemption.py",
        (
            "tests/orders/vouchers/test_voucher_discounts.py",
            "tests/orders/vouchers/test_voucher_ledger_and_cancellation.py",
            "tests/orders/vouchers/test_voucher_pages.py",  # the order page's redemptions
        ),
    ),
    "weighed_amounts": Target(
        "orders/weighed/amounts.py",
        ("tests/orders/test_weighed_goods.py",),
    ),
    "payouts": Target(
        "orders/payouts.py",
        (
            "tests/orders/test_payouts.py",
            "tests/api/test_operator_payouts.py",
            "tests/orders/test_weighed_race.py",  # two operators paying one balance at once
            "tests/orders/test_stripe.py",  # refunds owed on cancelled card orders
            "tests/orders/test_bank_notifications.py",
            "tests/orders/test_weighed_pages.py",  # weight refunds on the payouts page
            "tests/orders/test_weighed_goods.py",  # a weight refund is not owed twice
            "tests/orders/test_operator_scope_pages.py",
        ),
    ),
}

#: Mutants that change no observable behaviour, each with why. They leave the denominator
#: only because they are listed here; keep this list short and honest.
EQUIVALENT: dict[str, str] = {
    "app.messaging.delivery.x_claim__mutmut_3": "synchronize_session=None is read as False",
    "app.messaging.delivery.x_deliver__mutmut_68": "synchronize_session=None is read as False",
    "app.messaging.delivery.x_retry_now__mutmut_3": "synchronize_session=None is read as False",
    "app.messaging.delivery.x_deliver__mutmut_46": "permanent=None is as falsy as False",
    # SQLAlchemy reads synchronize_session=None as False: no sync of loaded objects either way.
    "orders.stock.x_take_stock__mutmut_3": "synchronize_session=None is read as False",
    "orders.stock.x_take_preorder_capacity__mutmut_3": "synchronize_session=None is read as False",
    "orders.stock.x_give_back_stock__mutmut_2": "synchronize_session=None is read as False",
    "app.auth.one_time_codes.x__count_wrong_try__mutmut_5": "synchronize_session=None is False",
    "app.auth.one_time_codes.x_issue_code__mutmut_24": "synchronize_session=None is read as False",
    "app.auth.one_time_codes.x_use_code__mutmut_72": "synchronize_session=None is read as False",
    # func.count(None) renders count(*); the counted id is a primary key, never NULL.
    "app.auth.one_time_codes.x__recent_count__mutmut_7": "count(None) is count(*)",
    "orders.stock.x_give_back_preorder_capacity__mutmut_2": "synchronize_session=None is False",
    "orders.stock.x_claim_release__mutmut_3": "synchronize_session=None is read as False",
    "orders.bank_notifications.x__storable__mutmut_3": "codec names ignore case: 'UTF-8'",
    "orders.bank_notifications.x__parse__mutmut_84": "codec names ignore case: 'UTF-8'",
    "orders.bank_notifications.x__parse__mutmut_14": "a missing description is None, then ''",
    "orders.bank_notifications.x__parse__mutmut_16": "a missing description is None, then ''",
    "orders.bank_notifications.x__settle__mutmut_45": "amount == total never gets there (paid)",
    "traceability.allocation.x_choices_for__mutmut_16": "open_batches has every product's key",
    "traceability.allocation.x_choices_for__mutmut_18": "open_batches has every product's key",
    "api.reach.x_farm_in_reach__mutmut_3": "an assert's message, for the programmer",
    "api.reach.x_farm_in_reach__mutmut_4": "an assert's message, for the programmer",
    "api.reach.x_operator_caller__mutmut_3": "an assert's message, for the programmer",
    "api.reach.x_operator_caller__mutmut_4": "an assert's message, for the programmer",
    "traceability.chain.x__canonical__mutmut_4": "json reads ensure_ascii=None as False",
    "traceability.chain.x__walk__mutmut_34": "seq_by_id.get(None) is None, as before",
    "traceability.allocation.x_batches_of_lines__mutmut_10": "join(…, None) infers the one FK",
    "traceability.allocation.x_batches_of_lines__mutmut_12": "join() infers the one foreign key",
    "orders.vietqr.x__qr_code__mutmut_6": "error correction M is qrcode's default level",
    "orders.vietqr.x__qr_code__mutmut_8": "QUIET_ZONE_MODULES (4) is qrcode's default border",
    "orders.vietqr.x__with_crc__mutmut_8": "codec names ignore case: 'ASCII' is 'ascii'",
    "orders.vietqr.x_qr_svg__mutmut_10": "qrcode always sets width and height",
    "orders.vietqr.x_qr_svg__mutmut_25": "also marks the root and background crisp: same drawing",
    "orders.vietqr.x_qr_svg__mutmut_30": "qrcode always gives the path an id",
    # The ledger audit's list of mismatches: how many rows a fetch brings, and the stray sum's
    # empty value (None and 0 are both "no stray money"), change nothing it returns.
    "orders.ledger_audit.x_ledger_mismatches__mutmut_22": "yield_per=None fetches all at once",
    "orders.ledger_audit.x_ledger_mismatches__mutmut_25": "yield_per=1001 is another batch size",
    "orders.ledger_audit.x_ledger_mismatches__mutmut_56": "a stray sum of None is no stray",
    # A line not sold by weight never has actual grams: `and` and `or` read it alike.
    "orders.weighed.amounts.x_final_line_vnd__mutmut_1": "unweighed lines have no actual grams",
    # adjustment 0 absorbs min(0, limit) = 0 either way.
    "orders.weighed.amounts.x_absorbed_vnd__mutmut_4": "min(0, limit) is 0 on both sides",
}

#: mutmut's exit codes per mutant, as mutmut.stats reads them.
KILLED, TIMEOUT = {1, 3}, {36, 24, -24, 152, 255}
SURVIVED, NO_TESTS = {0}, {5, 33}


@dataclass
class Figures:
    module: str
    mutants: int = 0
    killed: int = 0
    survived: int = 0
    timeout: int = 0
    untested: int = 0
    equivalent: int = 0

    @property
    def rate(self) -> float:
        counted = self.mutants - self.equivalent
        return 100.0 * (self.killed + self.timeout) / counted if counted else 100.0


def prepare(name: str, target: Target, fresh: bool) -> Path:
    """The module's working directory: links to the code and a setup.cfg narrowed to it."""
    work = WORK / name
    if fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for entry in LINKED:
        link = work / entry
        if not link.is_symlink():
            link.symlink_to(ROOT / entry)
    project = configparser.RawConfigParser()
    project.read(ROOT / "setup.cfg")
    narrowed = configparser.RawConfigParser()
    for section in ("tool:pytest", "mutmut"):
        narrowed[section] = dict(project[section])
    narrowed["mutmut"]["only_mutate"] = target.source
    tests = [path for path in target.tests if (ROOT / path).exists()]
    narrowed["mutmut"]["pytest_add_cli_args_test_selection"] = "\n" + "\n".join(tests)
    with open(work / "setup.cfg", "w") as handle:
        narrowed.write(handle)
    return work


def _meta(work: Path, source: str) -> dict:
    meta = work / "mutants" / (source + ".meta")
    return json.loads(meta.read_text()) if meta.exists() else {"exit_code_by_key": {}}


def results(work: Path, source: str) -> dict[str, int | None]:
    return _meta(work, source)["exit_code_by_key"]


def _keep_kills(work: Path, source: str, before: dict) -> None:
    """Put back the earlier kills that mutmut forgot when the test selection grew.

    Mutmut resets every result when the list of test files changes, and a run limited to the
    survivors leaves the others unchecked. Tests were only added, so a mutant killed before
    is still killed, as long as its function is unchanged (same hash)."""
    meta_path = work / "mutants" / (source + ".meta")
    after = json.loads(meta_path.read_text())
    old_hashes, new_hashes = before["hash_by_function_name"], after["hash_by_function_name"]
    for mutant, code in before["exit_code_by_key"].items():
        function = mutant.rsplit(".", 1)[1].rsplit("__mutmut_", 1)[0]
        unchanged = old_hashes.get(function) == new_hashes.get(function) is not None
        if code in KILLED | TIMEOUT and after["exit_code_by_key"].get(mutant) is None and unchanged:
            after["exit_code_by_key"][mutant] = code
    meta_path.write_text(json.dumps(after, indent=4))


def mutmut(work: Path, jobs: int, names: list[str]) -> None:
    """Run mutmut; stop at once when it could not run the tests on the unmutated code (an
    import error, a failing test): every mutant would otherwise read as "not killed"."""
    with open(work / "mutmut.log", "a") as log:
        done = subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(jobs), *names],
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        sys.exit(f"mutmut failed in {work} (exit {done.returncode}): see {work / 'mutmut.log'}")


def run(name: str, target: Target, jobs: int, resume: bool) -> None:
    work = prepare(name, target, fresh=not resume)
    started = time.monotonic()
    print(f"{name}: mutating {target.source} …", flush=True)
    pending = results(work, target.source)
    if not pending or None in pending.values():  # mutants not yet checked (or none made yet)
        mutmut(work, jobs, [])
    if resume:
        before = _meta(work, target.source)
        found = before["exit_code_by_key"]
        again = sorted(
            k for k, code in found.items() if code in SURVIVED | NO_TESTS and k not in EQUIVALENT
        )
        if again:
            print(f"{name}: re-running {len(again)} survivors", flush=True)
            mutmut(work, jobs, again)
            _keep_kills(work, target.source, before)
    print(f"{name}: done in {time.monotonic() - started:.0f} s", flush=True)


def figures(name: str, target: Target) -> tuple[Figures, list[str]]:
    found = Figures(name)
    survivors = []
    for mutant, code in sorted(results(WORK / name, target.source).items()):
        found.mutants += 1
        if code in KILLED:  # a listed mutant that a test kills was not equivalent after all
            found.killed += 1
        elif code in TIMEOUT:
            found.timeout += 1
        elif mutant in EQUIVALENT:
            found.equivalent += 1
        else:
            found.survived += code in SURVIVED
            found.untested += code not in SURVIVED
            survivors.append(mutant)
    return found, survivors


def report(names: list[str], threshold: float) -> bool:
    header = f"{'module':<28}{'mutants':>8}{'killed':>8}{'survived':>9}{'timeout':>8}"
    print(f"\n{header}{'other':>7}{'equiv.':>7}{'kill rate':>11}")
    passed = True
    all_survivors: list[str] = []
    for name in names:
        target = TARGETS[name]
        found, survivors = figures(name, target)
        all_survivors += survivors
        ok = found.mutants > 0 and found.rate >= threshold
        passed &= ok
        print(
            f"{target.source:<28}{found.mutants:>8}{found.killed:>8}{found.survived:>9}"
            f"{found.timeout:>8}{found.untested:>7}{found.equivalent:>7}"
            f"{found.rate:>10.1f}%{'' if ok else '  < ' + str(threshold) + '%'}"
        )
    if all_survivors:
        print("\nNot killed (`mutmut show <name>` in .mutation/<module>/):")
        for mutant in all_survivors:
            print(f"  {mutant}")
    listed = [m for m in EQUIVALENT if any(m.startswith(_prefix(n)) for n in names)]
    if listed:
        print("\nEquivalent (no observable change), left out of the rate:")
        for mutant in listed:
            print(f"  {mutant}: {EQUIVALENT[mutant]}")
    return passed


def _prefix(name: str) -> str:
    return TARGETS[name].source.removesuffix(".py").replace("/", ".") + "."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", choices=sorted(TARGETS), dest="modules")
    parser.add_argument("--threshold", type=float, default=90.0, help="minimum kill rate, %%")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once")
    parser.add_argument("--resume", action="store_true", help="keep earlier results")
    parser.add_argument("--report-only", action="store_true", help="print the last results")
    args = parser.parse_args()
    names = args.modules or list(TARGETS)
    if not args.report_only:
        for name in names:  # one module at a time: the machine is shared
            run(name, TARGETS[name], args.jobs, args.resume)
    return 0 if report(names, args.threshold) else 1


if __name__ == "__main__":
    sys.exit(main())
