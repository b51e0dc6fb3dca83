from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "mentorhaven.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # Withdrawing consent to matching with sensitive answers deletes those answers (the
        # consent app records the withdrawal and calls what its users registered).
        from mentorhaven.consent import withdrawal
        from mentorhaven.consent.domain import Purpose
        from mentorhaven.matching.services.sensitive import sensitive_answers_remove

        withdrawal.register(Purpose.MATCHING_SENSITIVE, sensitive_answers_remove)
