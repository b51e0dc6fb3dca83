"""Messaging pages: inbox, conversation (live by WebSocket, polling otherwise), search,
edit/delete, report and block, notifications, and the admins' safety reports."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.kernel.errors import NotFound
from mentorhaven.messaging import forms, selectors, services
from mentorhaven.messaging.access import (
    access_conversation,
    access_message,
    access_relationship_for_messages,
    access_report,
    is_read_only,
)
from mentorhaven.messaging.models import Notification


def _htmx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _back_to_referer(request) -> HttpResponse:
    if _htmx(request):
        # An htmx form posts in the background: reload the page so the message is seen.
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect(request.headers.get("Referer") or reverse("messaging:inbox"))


def _to(conversation, anchor: str = "") -> HttpResponse:
    url = services.conversation_link(conversation)
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@never_cache
def inbox(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "messaging/inbox.html",
        {"conversations": selectors.conversations_for(viewer=request.user)},
    )


@login_required
@never_cache
def relationship_conversation(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_for_messages(request.user, relationship_id)
    conversation = services.conversation_for_relationship(
        actor=request.user, relationship=relationship
    )
    return _to(conversation)


def _others(request, conversation):
    if conversation.relationship_id:
        r = conversation.relationship
        return [r.mentor if request.user.pk == r.mentee_id else r.mentee]
    User = get_user_model()
    return list(
        User.objects.filter(
            conversation_memberships__conversation=conversation,
            conversation_memberships__left_at__isnull=True,
        ).exclude(pk=request.user.pk)
    )


@login_required
@never_cache
def conversation(request: SignedInRequest, conversation_id) -> HttpResponse:
    conv = access_conversation(request.user, conversation_id)
    items = selectors.messages_page(viewer=request.user, conversation=conv)
    cursor = items[-1].seq if items else conv.last_seq
    services.conversation_mark_read(actor=request.user, conversation=conv, seq=cursor)
    blocked = selectors.blocked_people(viewer=request.user)
    return render(
        request,
        "messaging/conversation.html",
        {
            "conversation": conv,
            "items": items,
            "cursor": cursor,
            "older": items[0].seq if items and items[0].seq > 1 else None,
            "read_only": is_read_only(conv),
            "others": [(p, p.pk in blocked) for p in _others(request, conv)],
            "form": forms.MessageForm(),
        },
    )


@login_required
@never_cache
def history(request: SignedInRequest, conversation_id) -> HttpResponse:
    """Older messages (``?before=<seq>``), for people without JavaScript too."""
    conv = access_conversation(request.user, conversation_id)
    before = _int(request.GET.get("before"))
    items = selectors.messages_page(viewer=request.user, conversation=conv, before=before)
    return render(
        request,
        "messaging/history.html",
        {
            "conversation": conv,
            "items": items,
            "older": items[0].seq if items and items[0].seq > 1 else None,
        },
    )


def _int(value) -> int | None:
    try:
        return max(0, int(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
@never_cache
def poll(request: SignedInRequest, conversation_id) -> HttpResponse:
    """htmx polling fallback: messages with ``seq`` above ``?after=``, appended out of band,
    plus the cursor input moved to the newest one. Each message is sent once per cursor."""
    conv = access_conversation(request.user, conversation_id)
    after = _int(request.GET.get("after"))
    after = conv.last_seq if after is None else after
    items = selectors.messages_page(
        viewer=request.user, conversation=conv, after=after, limit=selectors.MAX_LIMIT, via="poll"
    )
    cursor = items[-1].seq if items else after
    if items:
        services.conversation_mark_read(actor=request.user, conversation=conv, seq=cursor)
    return render(
        request, "messaging/_poll.html", {"conversation": conv, "items": items, "cursor": cursor}
    )


@require_POST
@login_required
@never_cache
def send(request: SignedInRequest, conversation_id) -> HttpResponse:
    conv = access_conversation(request.user, conversation_id, write=True)
    form = forms.MessageForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                flash.error(request, str(error))
        return _back_to_referer(request) if _htmx(request) else _to(conv, "compose")
    services.message_send(actor=request.user, conversation=conv, body=form.cleaned_data["body"])
    if _htmx(request):
        return HttpResponse(status=204)  # the socket or the next poll brings it
    return _to(conv, "compose")


@login_required
@never_cache
def search(request: SignedInRequest, conversation_id) -> HttpResponse:
    conv = access_conversation(request.user, conversation_id)
    query = (request.GET.get("q") or "")[:200]
    results = selectors.search_messages(viewer=request.user, conversation=conv, query=query)
    return render(
        request,
        "messaging/search.html",
        {"conversation": conv, "query": query, "results": results},
    )


@login_required
@never_cache
def message_edit(request: SignedInRequest, message_id) -> HttpResponse:
    message = access_message(request.user, message_id, write=True)
    if request.method == "POST":
        form = forms.MessageForm(request.POST)
        if form.is_valid():
            services.message_edit(
                actor=request.user, message=message, body=form.cleaned_data["body"]
            )
            return _to(message.conversation, f"m-{message.public_id}")
    else:
        form = forms.MessageForm(initial={"body": "" if message.is_deleted else message.body})
    return render(request, "messaging/message_edit.html", {"message": message, "form": form})


@require_POST
@login_required
@never_cache
def message_delete(request: SignedInRequest, message_id) -> HttpResponse:
    message = access_message(request.user, message_id, write=True)
    services.message_delete(actor=request.user, message=message)
    flash.success(request, _("Message deleted."))
    return _to(message.conversation)


@login_required
@never_cache
def report_message(request: SignedInRequest, message_id) -> HttpResponse:
    message = access_message(request.user, message_id)
    if message.author_id == request.user.pk:
        raise NotFound()
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_create(actor=request.user, message=message, **form.cleaned_data)
        flash.success(request, _("Thank you. The program admins will look at this message."))
        return _to(message.conversation)
    return render(request, "messaging/report.html", {"form": form, "message": message})


def _member(request, conv, user_id):
    for person in _others(request, conv):
        if str(person.public_id) == str(user_id):
            return person
    raise NotFound()


@login_required
@never_cache
def report_person(request: SignedInRequest, conversation_id, user_id) -> HttpResponse:
    conv = access_conversation(request.user, conversation_id)
    person = _member(request, conv, user_id)
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_create(
            actor=request.user, conversation=conv, person=person, **form.cleaned_data
        )
        flash.success(request, _("Thank you. The program admins will look into it."))
        return _to(conv)
    return render(request, "messaging/report.html", {"form": form, "person": person})


@require_POST
@login_required
@never_cache
def block(request: SignedInRequest, conversation_id, user_id) -> HttpResponse:
    conv = access_conversation(request.user, conversation_id)
    person = _member(request, conv, user_id)
    if request.POST.get("unblock"):
        services.block_remove(actor=request.user, blocked=person)
        flash.success(request, _("Unblocked."))
    else:
        services.block_create(actor=request.user, blocked=person)
        flash.success(request, _("Blocked. They can no longer message you."))
    return _to(conv)


# --- notifications ---------------------------------------------------------------------------


@login_required
@never_cache
def notifications(request: SignedInRequest) -> HttpResponse:
    """The notification centre: what happened (unread first in bold, or unread only), and how
    the person wants to be told of each kind."""
    if request.method == "POST":
        if request.POST.get("mark_read"):
            services.notifications_mark_read(actor=request.user)
            return redirect("messaging:notifications")
        form = forms.PreferenceForm(request.POST)
        if not form.is_valid():
            return _notifications_page(request, form, status=400)
        services.notification_preference_set(
            actor=request.user, email=form.cleaned_data["email"], channels=form.channels()
        )
        flash.success(request, _("Saved."))
        return redirect("messaging:notifications")
    initial = forms.PreferenceForm.initial_for(
        email=services.email_preference(request.user),
        channels=services.notification_channels(request.user),
    )
    return _notifications_page(request, forms.PreferenceForm(initial=initial))


def _notifications_page(request, form, status: int = 200) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    notices = selectors.notifications_for(viewer=request.user, unread_only=unread_only)[:100]
    return render(
        request,
        "messaging/notifications.html",
        {"notifications": notices, "unread_only": unread_only, "form": form},
        status=status,
    )


@login_required
@never_cache
def notification_open(request: SignedInRequest, notification_id) -> HttpResponse:
    found = Notification.objects.filter(
        user=request.user.pk or 0, public_id=notification_id
    ).first()
    if found is None:
        raise NotFound()
    services.notifications_mark_read(actor=request.user, notification=found)
    return redirect(found.link)


# --- safety reports (program and organization admins) ---------------------------------------


@login_required
@never_cache
def report_list(request: SignedInRequest) -> HttpResponse:
    """The safety cases of the programs the viewer runs, filtered by program and status."""
    programs = selectors.report_programs(viewer=request.user)
    form = forms.CaseFilterForm(request.GET or None, programs=programs)
    if form.is_bound and not form.is_valid():
        return render(request, "messaging/report_list.html", {"form": form}, status=400)
    chosen = form.cleaned_data if form.is_bound else {}
    reports = selectors.reports_for_admin(
        viewer=request.user,
        status=chosen.get("status") or None,
        program=form.programs.get(chosen.get("program") or ""),
    )
    return render(request, "messaging/report_list.html", {"form": form, "reports": reports})


def _case_action(request: SignedInRequest, report) -> HttpResponse | None:
    """Run the posted action on the case; a form error answers 400 with the page."""
    action, me = request.POST.get("action"), request.user
    simple = {
        "triage": services.report_triage,
        "warn": services.report_warn,
        "suspend": services.report_suspend,
        "lift": services.report_suspension_lift,
        "end_relationship": services.report_relationship_end,
        "escalate": services.report_escalate,
    }
    if action in simple:
        simple[action](actor=me, report=report)
    elif action == "note" and (note := forms.CaseNoteForm(request.POST)).is_valid():
        services.report_note_add(actor=me, report=report, **note.cleaned_data)
    elif action == "close" and (close := forms.CaseCloseForm(request.POST)).is_valid():
        services.report_close(actor=me, report=report, **close.cleaned_data)
    else:
        return None
    flash.success(request, _("Done."))
    return redirect("messaging:report_detail", report_id=report.public_id)


@login_required
@never_cache
def report_detail(request: SignedInRequest, report_id) -> HttpResponse:
    """A safety case: the report, the one reported message, the case's log and its actions."""
    # Reading is enough to post: each case service refuses (403) a viewer who does not run the
    # program, such as a security officer reading an escalated case.
    report = access_report(request.user, report_id)
    if request.method == "POST":
        done = _case_action(request, report)
        if done is not None:
            return done
        flash.error(request, _("Choose an action, and fill in what it asks for."))
    context = {
        "view": selectors.report_for_admin(viewer=request.user, report=report),
        "note_form": forms.CaseNoteForm(),
        "close_form": forms.CaseCloseForm(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "messaging/report_detail.html", context, status=status)
