"""``mentorhaven match run --program SLUG [--publish --as EMAIL]`` and ``mentorhaven match lapse``.

* ``run`` matches every mentee of the program who has no open relationship to mentors with
  seats left, using only consented sensitive answers, and keeps the result as a draft run (the
  same as the admin page). It prints the total (shown) score and coverage, how close to the
  optimum the run is proven to be, and the greedy baseline (not computed on a large program run
  by the block method); shown scores leave out sensitive answers and goals (docs/privacy.md).
  With ``--publish`` the draft is published at once: proposed relationships, all or nothing.
  Publishing proposes relationships in a program admin's name, so it needs ``--as``.
* ``lapse`` ends proposals whose answer window has passed. Idempotent: run it from cron.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.matching import services
from mentorhaven.programs.models import Program


class Command(BaseCommand):
    help = "Program-wide matching (draft or publish) and lapsing of unanswered requests."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="match a program into a draft run")
        run.add_argument("--program", required=True, help="program slug")
        run.add_argument("--publish", action="store_true", help="publish the draft at once")
        run.add_argument("--as", dest="actor", help="e-mail of the program admin acting")
        run.add_argument("--method", default="auto", choices=["auto", "exact", "sparse", "blocks"])
        sub.add_parser("lapse", help="end proposals nobody answered in time")

    def handle(self, *args, **options) -> None:
        if options["action"] == "lapse":
            self.stdout.write(f"lapsed requests: {services.requests_lapse()}")
            return
        program = Program.objects.filter(slug=options["program"]).first()
        if program is None:
            raise CommandError(f"no program {options['program']!r}")
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(email=options["actor"].lower()).first()
            if actor is None:
                raise CommandError("no such user")
        elif options["publish"]:
            raise CommandError("--publish proposes relationships in an admin's name: add --as")
        try:
            run = services.match_run_create(actor=actor, program=program, method=options["method"])
            published = None
            if options["publish"] and actor is not None:  # --publish without --as is refused
                published = services.match_run_publish(actor=actor, run=run)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"run {run.public_id} ({run.method}): {run.mentees} mentees, {run.mentors} mentors\n"
            f"matched: total score {run.total:.3f}, coverage {run.coverage:.1%}\n"
            f"optimum: {run.optimality_text}"
        )
        if run.greedy_total is None or run.greedy_coverage is None:
            self.stdout.write("greedy:  not computed (the block method holds no whole matrix)")
        else:
            self.stdout.write(
                f"greedy:  total score {run.greedy_total:.3f}, coverage {run.greedy_coverage:.1%}"
                f"\ngain over greedy: {run.total - run.greedy_total:+.3f}"
            )
        if published is not None:
            self.stdout.write(f"published: {len(published)} proposed relationships")
        else:
            self.stdout.write("draft kept for review (use --publish to propose now)")
