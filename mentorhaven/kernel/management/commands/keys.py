"""``mentorhaven keys``: the master key (KEK) for operators.

``keys generate FILE``
    Write a new key file (one fresh 256-bit key, version ``v1``, mode 0600). Refuses to
    overwrite an existing file: losing a key file loses every encrypted value.

``keys rotate [--batch-size N] [--no-new-key]``
    Add a new KEK version (to the key file, or take the provider's current one with
    ``--no-new-key``), then re-wrap every subject data key under it, and every key an object
    owns (a survey's key, a safeguarding case's key: ``OBJECT_KEYS``), in batches, each batch
    its own transaction. Content is never re-encrypted: data keys do not change. Safe to
    interrupt and run again: a run that finds rows still on older versions finishes them
    instead of adding yet another version; nothing is lost, because old versions stay in the
    keyring.

``keys rotate --retire-old``
    Finish any pending re-wrap, confirm that no row uses an older version, then remove the
    older versions from the key file. Refuses while any row still needs one.

``keys status``
    The provider, its versions, and how many rows use each. Never prints key material.

``keys shredded [--apply FILE]``
    Print the ids of every shredded subject, one per line; with ``--apply``, shred every id
    listed in FILE. Before restoring a backup, save the list from the live database; after the
    restore, apply it, so that nobody erased since the backup comes back. Idempotent.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mentorhaven.kernel import vault

# Models are imported inside the functions: ``keys generate`` must run before anything is
# configured (production refuses to start without a key), see ``generate_main``.


def generate(path: Path) -> str:
    """Write a new key file; returns the message for the operator. Raises ``CommandError``."""
    try:
        vault.write_key_file(path, vault.new_key_line("v1") + "\n", exclusive=True)
    except FileExistsError:
        raise CommandError(f"{path} already exists; refusing to overwrite a key file") from None
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}") from None
    return (
        f"Wrote a new master key (version v1) to {path}, mode 0600.\n"
        f"Point MENTORHAVEN_MASTER_KEY_FILE at it and keep a copy somewhere safe "
        f"and separate from the database backups."
    )


def generate_main(file: str) -> int:
    """``mentorhaven keys generate FILE`` without Django settings (called from cli.py)."""
    try:
        print(generate(Path(file)))
    except CommandError as exc:
        print(f"CommandError: {exc}", file=sys.stderr)
        return 1
    return 0


# Keys that belong to an object rather than a person (model label, wrap purpose): each has its
# own ``wrapped_key`` under the KEK, so rotation must re-wrap them as well, or retiring the old
# version would make every survey's sealed answers and every safeguarding case unreadable.
# Named by label so that the kernel imports no app.
OBJECT_KEYS = (
    ("community.Survey", vault.SURVEY_KEY),
    ("privacy.SafeguardingCase", vault.CASE_KEY),
    ("accounts.IdentityProvider", vault.SSO_CLIENT_SECRET),
)


def _object_models() -> list[tuple[Any, str]]:
    from django.apps import apps

    return [(apps.get_model(label), purpose) for label, purpose in OBJECT_KEYS]


def pending_subject_keys(version: str) -> int:
    """Rows (data keys and object keys) not yet wrapped under ``version``."""
    from mentorhaven.kernel.models import SubjectKey

    pending: int = SubjectKey.objects.exclude(kek_version=version).count()
    for model, _purpose in _object_models():
        pending += model.objects.exclude(kek_version=version).count()
    return pending


def rewrap_object_keys(version: str, *, batch_size: int) -> int:
    """Re-wrap every object key (surveys, cases, SSO secrets) not yet under ``version``, in
    batches of their own transactions; returns the number re-wrapped."""
    done = 0
    for model, purpose in _object_models():
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update()
                    .exclude(kek_version=version)
                    .order_by("pk")[:batch_size]
                )
                if not rows:
                    break
                for row in rows:
                    vault.rewrap_object_key(row, version, purpose=purpose)
                model.objects.bulk_update(rows, ["kek_version", "wrapped_key"])
            done += len(rows)
    return done


def rewrap_subject_keys(
    version: str, *, batch_size: int, progress: Callable[[int], None] | None = None
) -> int:
    """Re-wrap every SubjectKey not yet under ``version``; returns the number re-wrapped."""
    from mentorhaven.kernel.models import SubjectKey

    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                SubjectKey.objects.exclude(kek_version=version)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return done
            rows = list(SubjectKey.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
            for row in rows:
                vault.rewrap(row, version)
            SubjectKey.objects.bulk_update(rows, ["kek_version", "wrapped_key", "wrapped_secret"])
        done += len(rows)
        if progress:
            progress(done)


class Command(BaseCommand):
    help = "Master key operations: generate a key file, rotate, retire old versions, status."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="write a new master key file (mode 0600)")
        generate.add_argument("file")
        rotate = sub.add_parser("rotate", help="new KEK version; re-wrap every data key")
        rotate.add_argument("--batch-size", type=int, default=500)
        rotate.add_argument(
            "--no-new-key",
            action="store_true",
            help="re-wrap to the provider's current version without adding one",
        )
        rotate.add_argument(
            "--retire-old",
            action="store_true",
            help="remove older versions once no row uses them",
        )
        sub.add_parser("status", help="versions and how many rows use each")
        shredded = sub.add_parser("shredded", help="list shredded subjects, or re-apply a list")
        shredded.add_argument("--apply", metavar="FILE", help="shred every subject id in FILE")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_generate(self, *, file: str, **options: Any) -> None:
        self.stdout.write(generate(Path(file)))

    def handle_rotate(
        self, *, batch_size: int, no_new_key: bool, retire_old: bool, **options: Any
    ) -> None:
        from mentorhaven.kernel import audit

        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        provider = vault.key_provider()
        current = provider.current_version()
        pending = pending_subject_keys(current)
        if pending:
            self.stdout.write(f"Resuming: {pending} rows are not yet under {current}.")
        elif not (no_new_key or retire_old):
            try:
                current = provider.add_version()
            except NotImplementedError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Added master key version {current}.")
        rewrapped = rewrap_subject_keys(
            current,
            batch_size=batch_size,
            progress=lambda n: self.stdout.write(f"  {n} data keys re-wrapped"),
        )
        objects = rewrap_object_keys(current, batch_size=batch_size)
        with transaction.atomic():
            audit.record(
                action="vault.kek_rotated",
                purpose="master key rotation",
                extra={"version": current, "data_keys": rewrapped, "object_keys": objects},
            )
        self.stdout.write(
            f"Every data key is under {current}: {rewrapped} re-wrapped now, "
            f"and {objects} keys objects own (surveys, cases, sign-in providers)."
        )
        if retire_old:
            self._retire(provider, current)

    def _retire(self, provider: vault.KeyProvider, current: str) -> None:
        from mentorhaven.kernel import audit

        still = pending_subject_keys(current)
        if still:
            raise CommandError(
                f"{still} rows still use an older version; run `keys rotate` again first."
            )
        try:
            retired = provider.retire_versions({current})
        except NotImplementedError as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            audit.record(
                action="vault.kek_retired",
                purpose="master key rotation",
                extra={"retired": retired, "kept": current},
            )
        if retired:
            self.stdout.write(f"Retired versions: {', '.join(retired)}. Kept: {current}.")
        else:
            self.stdout.write(f"No older versions to retire. Kept: {current}.")

    def handle_shredded(self, *, apply: str | None, **options: Any) -> None:
        from mentorhaven.kernel import audit
        from mentorhaven.kernel.models import SubjectKey

        if apply is None:
            ids = SubjectKey.objects.filter(shredded_at__isnull=False).order_by("subject_id")
            for subject_id in ids.values_list("subject_id", flat=True).iterator():
                self.stdout.write(str(subject_id))
            return
        try:
            lines = Path(apply).read_text().split()
        except OSError as exc:
            raise CommandError(f"cannot read {apply}: {exc.strerror}") from None
        try:
            wanted = {int(line) for line in lines}
        except ValueError:
            raise CommandError(f"{apply} must hold one subject id per line") from None
        already = set(
            SubjectKey.objects.filter(subject_id__in=wanted, shredded_at__isnull=False).values_list(
                "subject_id", flat=True
            )
        )
        for subject_id in sorted(wanted - already):
            with transaction.atomic():
                vault.shred(subject_id)
                audit.record(  # the subject shows as "erased": nothing links back to them
                    action="vault.subject_reshredded",
                    subject=subject_id,
                    purpose="erasure re-applied after a restore",
                )
        self.stdout.write(
            f"{len(wanted - already)} subjects shredded again; {len(already)} already were."
        )

    def handle_status(self, **options: Any) -> None:
        from mentorhaven.kernel.models import SubjectKey

        provider = vault.key_provider()
        current = provider.current_version()
        self.stdout.write(f"Key provider: {provider.describe()}")
        self.stdout.write(f"Current version: {current}")
        self.stdout.write(f"Versions in keyring: {', '.join(provider.versions())}")
        active = Counter(
            SubjectKey.objects.filter(shredded_at__isnull=True).values_list(
                "kek_version", flat=True
            )
        )
        shredded = SubjectKey.objects.filter(shredded_at__isnull=False).count()
        self.stdout.write("Data keys by version:")
        for version in sorted(set(active) | {current}):
            self.stdout.write(f"  {version}: {active.get(version, 0)}")
        for model, _purpose in _object_models():
            by_version = Counter(model.objects.values_list("kek_version", flat=True))
            self.stdout.write(f"{model._meta.verbose_name_plural.capitalize()} keys by version:")
            for version in sorted(set(by_version) | {current}):
                self.stdout.write(f"  {version}: {by_version.get(version, 0)}")
        self.stdout.write(f"Shredded subjects: {shredded}")
        pending = pending_subject_keys(current)
        self.stdout.write(
            f"Pending re-wrap: {pending}" if pending else "Every row is under the current version."
        )
