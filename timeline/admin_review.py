"""Review in the admin: an editor's save of something readers see becomes a revision waiting for a publisher, who
reads what changed and approves it or sends it back with a note (timeline/review.py decides and writes)."""

from diff_match_patch import diff_match_patch
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from timeline import publishing, review
from timeline.models import Involvement, Revision, Role, Statement

PROPOSALS = "_timeline_revisions"  # the revisions a request's save made, on the request


class ReviewedChanges:
    """For the admins of what readers see. A public item is not saved when an editor saves it, nor are its inline
    rows: each change becomes a revision. Nobody but a publisher deletes what readers see, and nobody deletes the
    last source of a published event or statement."""

    delete_confirmation_template = "admin/timeline/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/timeline/delete_selected_confirmation.html"

    # Saving

    def save_model(self, request, obj, form, change):
        if review.needs_review(obj, request.user):
            request._timeline_proposal = review.Proposal(obj)
            form.save_m2m = lambda: None  # restoring an old version (simple-history) writes these itself
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        proposal = getattr(request, "_timeline_proposal", None)
        if proposal is None:
            return super().save_related(request, form, formsets, change)
        many = review.REVIEWED[type(proposal.obj)]
        proposal.m2m = {name: form.cleaned_data[name] for name in many if name in form.cleaned_data}
        revisions = []
        for formset in formsets:
            revisions += self.propose_rows(request, proposal, formset)
        revisions.insert(0, review.propose(proposal, request.user))
        setattr(request, PROPOSALS, [revision for revision in revisions if revision is not None])

    def propose_rows(self, request, proposal, formset) -> list:
        """An inline formset's changes: an event's participants join its own revision; its statements (and a
        participant's roles) each become a revision of their own."""
        if not formset.has_changed():
            return []
        if formset.model is Involvement:
            rows = [
                (form.cleaned_data["participant"], form.cleaned_data["part"], form.cleaned_data.get("order") or 0)
                for form in formset.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("participant")
            ]
            proposal.involvements = sorted(rows, key=lambda row: row[2])
            return []
        if formset.model in (Statement, Role):
            revisions = []
            for form in formset.forms:
                if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE"):
                    obj = form.save(commit=False)
                    many = {"sources": form.cleaned_data["sources"]} if "sources" in form.cleaned_data else {}
                    revisions.append(review.propose(review.Proposal(obj, m2m=many), request.user))
            return revisions
        return []

    def proposals(self, request) -> list | None:
        """The revisions this request's save made; None when it saved as usual."""
        proposal = getattr(request, "_timeline_proposal", None)
        if proposal is None:
            return None
        if not hasattr(request, PROPOSALS):  # a restored version: no related rows went through save_related
            setattr(request, PROPOSALS, [r for r in [review.propose(proposal, request.user)] if r is not None])
        return getattr(request, PROPOSALS)

    def construct_change_message(self, request, form, formsets, add=False):
        if self.proposals(request) is None:
            return super().construct_change_message(request, form, formsets, add)
        return []  # nothing was saved, so there is nothing the library could describe

    def log_change(self, request, obj, message):
        if self.proposals(request) is None:
            return super().log_change(request, obj, message)
        return None  # the revision is the record; nothing of the item changed

    def log_addition(self, request, obj, message):
        if self.proposals(request) is None:
            return super().log_addition(request, obj, message)
        return None

    def response_change(self, request, obj):
        if self.proposals(request) is None:
            return super().response_change(request, obj)
        self.tell_proposed(request, obj)
        return HttpResponseRedirect(request.path)

    def response_add(self, request, obj, post_url_continue=None):
        if self.proposals(request) is None:
            return super().response_add(request, obj, post_url_continue)
        self.tell_proposed(request, obj)
        return HttpResponseRedirect(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist"))

    def tell_proposed(self, request, obj):
        revisions = self.proposals(request)
        if not revisions:
            self.message_user(request, _("Nothing was changed."), messages.INFO)
            return
        links = format_html_join(
            ", ", '<a href="{}">{}</a>', ((revision_url(revision), revision.summary) for revision in revisions)
        )
        self.message_user(
            request,
            format_html(
                "{} {}",
                ngettext(
                    "Your change waits for a publisher’s review; readers still see the published version:",
                    "Your changes wait for a publisher’s review; readers still see the published version:",
                    len(revisions),
                ),
                links,
            ),
            messages.SUCCESS,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        pending = list(review.pending_for(obj).select_related("author")) if obj is not None else []
        extra_context = {**(extra_context or {}), "pending_revisions": pending}
        return super().change_view(request, object_id, form_url, extra_context)

    # Deleting

    def has_delete_permission(self, request, obj=None):
        if obj is not None and review.needs_review(obj, request.user):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = review.deletion_refusals(list(objs), request.user)
        return to_delete, model_count, perms_needed, [*refusals, *protected]

    def render_delete_form(self, request, context):
        obj = context.get("object")
        if obj is not None and hasattr(obj, "normalized_url") and not context.get("protected"):
            context["relied_on"] = review.relying_on(obj)
        return super().render_delete_form(request, context)


class InlineDeletion:
    """An inline row of something readers see is deleted only by a publisher."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and review.needs_review(obj, request.user):
            return False
        return super().has_delete_permission(request, obj)


def revision_url(revision: Revision) -> str:
    return reverse("admin:timeline_revision_change", args=[revision.pk])


def word_diff(before: str, after: str):
    """The change as <del> and <ins>, word by word where it can be."""
    tags = {-1: "del", 0: "span", 1: "ins"}
    changes = diff_match_patch().diff_main(before, after)
    diff_match_patch().diff_cleanupSemantic(changes)
    return format_html_join("", "<{0}>{1}</{0}>", ((tags[op], text) for op, text in changes))


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Changes waiting for review. A publisher opens one, reads what would change, and approves it or sends it
    back with a note; its author may withdraw it while it waits."""

    list_display = ["summary", "kind", "event", "author", "created_at", "state"]
    list_filter = ["state", "content_type"]
    list_select_related = ["content_type", "event", "author"]
    search_fields = ["summary", "author__username"]

    def has_add_permission(self, request):
        return False  # revisions come from saves and imports

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was proposed and decided stays

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    @admin.display(description=gettext_lazy("kind"))
    def kind(self, revision):
        return revision.content_type.model_class()._meta.verbose_name

    def changelist_view(self, request, extra_context=None):
        if not request.GET:  # open on what waits, the list a publisher works through
            return HttpResponseRedirect(f"{request.path}?state__exact={Revision.State.PENDING}")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, object_id)
        if revision is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            return self.decide(request, revision)
        pending = revision.state == Revision.State.PENDING
        target = revision.target
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": revision.summary,
            "revision": revision,
            "target": target,
            "target_url": reverse(f"admin:timeline_{revision.content_type.model}_change", args=[target.pk])
            if target is not None
            else "",
            "changes": [
                (change.label, change.before, word_diff(change.before, change.after))
                for change in review.changes(revision)
            ],
            "conflicts": review.conflicts(revision, target) if pending and target is not None else [],
            "can_review": pending and publishing.can_publish(request.user),
            "can_withdraw": pending and revision.author_id == request.user.pk,
        }
        return TemplateResponse(request, "admin/timeline/revision/review.html", context)

    def decide(self, request, revision):
        try:
            if "_approve" in request.POST:
                obj = review.approve(revision, request.user)
                message = _("Approved: readers now see the change to “%(item)s”.") % {"item": obj}
                if hasattr(obj, "get_absolute_url") and getattr(obj, "is_published", True):
                    message = format_html('{} <a href="{}">{}</a>', message, obj.get_absolute_url(), _("See it."))
                self.message_user(request, message, messages.SUCCESS)
            elif "_send_back" in request.POST:
                review.send_back(revision, request.user, request.POST.get("note", ""))
                self.message_user(request, _("Sent back to its author with your note."), messages.SUCCESS)
            elif "_withdraw" in request.POST:
                review.withdraw(revision, request.user)
                self.message_user(request, _("Withdrawn: it no longer waits for review."), messages.SUCCESS)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        except review.ReviewRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:timeline_revision_changelist"))
