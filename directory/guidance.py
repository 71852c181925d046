"""Plain-English guidance pages, and Somerset's five questions asked one at a time.

The questions work without JavaScript: each is its own page, posted with a CSRF token, and the
answers live in the session (never in the database, never tied to a name). A person who jumps
ahead is sent back to the first question they have not answered.
"""

import dataclasses
from dataclasses import dataclass

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

SESSION_KEY = "guidance_right_for_me"


@dataclass(frozen=True)
class Question:
    text: str  # the page's h1 and the fieldset's legend
    hint: str
    if_yes: str  # finishes "Select yes if ..."
    said_no: str  # how the result page names a "no"

    def translated(self):
        """This question in the active language (QUESTIONS holds the English, for gettext)."""
        return Question(*(gettext(words) for words in dataclasses.astuple(self)))


# Somerset's five questions (a person using an exempt micro-provider should answer yes to all),
# worded for the person themselves; the intro page says a helper may answer for them.
QUESTIONS = [
    Question(
        text=gettext_noop("Do you know what support or care you want?"),
        hint=gettext_noop(
            "For example, help to wash and dress each morning, or someone to take you shopping once a week."
        ),
        if_yes=gettext_noop("you know what support or care you want"),
        said_no=gettext_noop("You do not know yet what support or care you want."),
    ),
    Question(
        text=gettext_noop(
            "Are you happy to contact a provider yourself and tell them what you need?"
        ),
        hint=gettext_noop("You might phone them, send an email or meet them."),
        if_yes=gettext_noop("you are happy to contact a provider and tell them what you need"),
        said_no=gettext_noop(
            "You are not happy to contact a provider yourself and tell them what you need."
        ),
    ),
    Question(
        text=gettext_noop("Do you know how to check if a provider is right for you?"),
        hint=gettext_noop(
            "For example, you ask to see their DBS check and insurance, and you ask what training they have."
        ),
        if_yes=gettext_noop("you know how to check if a provider is right for you"),
        said_no=gettext_noop("You do not know how to check if a provider is right for you."),
    ),
    Question(
        text=gettext_noop("Will you check a provider yourself and decide if you want to use them?"),
        hint=gettext_noop(
            "This means you look at their checks, ask them questions and then make the choice."
        ),
        if_yes=gettext_noop("you will check a provider and decide if you want to use them"),
        said_no=gettext_noop(
            "You do not want to check a provider yourself and decide if you want to use them."
        ),
    ),
    Question(
        text=gettext_noop("Can you be in charge of your own care, and do you want to be?"),
        hint=gettext_noop(
            "This means you tell the provider what to do and when, and you sort out any changes."
        ),
        if_yes=gettext_noop("you can be in charge of your own care and you want to be"),
        said_no=gettext_noop("You cannot be in charge of your own care, or you do not want to be."),
    ),
]
TOTAL = len(QUESTIONS)
# The labels answer "Do you...?" questions: Welsh says "Ydw" / "Nac ydw" rather than a bare yes/no.
ANSWER_CHOICES = [
    ("yes", pgettext_lazy("answer to a Do you question", "Yes")),
    ("no", pgettext_lazy("answer to a Do you question", "No")),
]

# Every guide, in the order the index lists them; each page lists the others as related guides.
GUIDES = [
    {
        "url_name": "guidance:right-for-me",
        "title": _("Is a micro-enterprise right for me?"),
        "summary": _("Answer 5 short questions to find out if this kind of care suits you."),
    },
    {
        "url_name": "guidance:checklist",
        "title": _("Your checklist"),
        "summary": _("What to know, and what to ask, before you choose a provider."),
    },
    {
        "url_name": "guidance:direct-payments",
        "title": _("Paying with a Direct Payment"),
        "summary": _("How to use your personal budget to pay a provider."),
    },
    {
        "url_name": "guidance:checks",
        "title": _("What the checks mean"),
        "summary": _(
            "What a DBS check, insurance and the other checks are, and what a listing tells you."
        ),
    },
    {
        "url_name": "guidance:registration",
        "title": _("Do they need to be registered?"),
        "summary": _(
            "When a provider who helps with personal care must register with the CQC or CIW."
        ),
    },
]


class QuestionForm(forms.Form):
    answer = forms.ChoiceField(choices=ANSWER_CHOICES, widget=forms.RadioSelect)

    def __init__(self, *args, question, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        # One clear message for a missing answer and for anything that is not yes or no; the
        # message never repeats what was sent.
        message = gettext("Select yes if %(condition)s") % {"condition": question.if_yes}
        self.fields["answer"].error_messages = {"required": message, "invalid_choice": message}


def related_guides(current):
    return [
        {**guide, "url": reverse(guide["url_name"])}
        for guide in GUIDES
        if guide["url_name"] != current
    ]


def render_guide(request, template, current, context=None, status=200):
    context = {"related_guides": related_guides(current), **(context or {})}
    return render(request, template, context, status=status)


def saved_answers(request):
    """The answers so far, as {1: "yes", ...}; anything odd in the session is ignored."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    answers = {}
    for number in range(1, TOTAL + 1):
        value = stored.get(str(number))
        if value in dict(ANSWER_CHOICES):
            answers[number] = value
    return answers


def save_answer(request, number, value):
    answers = saved_answers(request)
    answers[number] = value
    request.session[SESSION_KEY] = {str(n): v for n, v in answers.items()}


def first_unanswered(answers):
    for number in range(1, TOTAL + 1):
        if number not in answers:
            return number
    return None


def question_url(number):
    return reverse("guidance:right-for-me-question", args=[number])


def index(request):
    guides = [{**guide, "url": reverse(guide["url_name"])} for guide in GUIDES]
    return render(request, "directory/guidance/index.html", {"guides": guides})


def right_for_me(request):
    return render_guide(
        request,
        "directory/guidance/right_for_me.html",
        "guidance:right-for-me",
        {"total": TOTAL, "first_question_url": question_url(1)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def question(request, number):
    if not 1 <= number <= TOTAL:
        raise Http404("No such question")
    answers = saved_answers(request)
    gap = first_unanswered(answers)
    if gap is not None and number > gap:
        return redirect(question_url(gap))

    the_question = QUESTIONS[number - 1].translated()
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST, question=the_question)
        if form.is_valid():
            save_answer(request, number, form.cleaned_data["answer"])
            # Straight back to the result once every question has an answer (after a "Change"
            # link, say); otherwise on to the next question.
            if number == TOTAL or first_unanswered(saved_answers(request)) is None:
                return redirect("guidance:right-for-me-result")
            return redirect(question_url(number + 1))
        status = 400
    else:
        form = QuestionForm(initial={"answer": answers.get(number)}, question=the_question)

    back_url = question_url(number - 1) if number > 1 else reverse("guidance:right-for-me")
    return render(
        request,
        "directory/guidance/question.html",
        {
            "form": form,
            "question": the_question,
            "number": number,
            "total": TOTAL,
            "caption": gettext("Question %(number)s of %(total)s")
            % {"number": number, "total": TOTAL},
            "back_url": back_url,
        },
        status=status,
    )


@never_cache
def result(request):
    answers = saved_answers(request)
    gap = first_unanswered(answers)
    if gap is not None:
        return redirect(question_url(gap))
    rows = [
        {
            "number": number,
            "question": the_question.translated(),
            "answer": dict(ANSWER_CHOICES)[answers[number]],
            "change_url": question_url(number),
        }
        for number, the_question in enumerate(QUESTIONS, start=1)
    ]
    said_no = [
        gettext(the_question.said_no)
        for n, the_question in enumerate(QUESTIONS, 1)
        if answers[n] == "no"
    ]
    return render_guide(
        request,
        "directory/guidance/result.html",
        "guidance:right-for-me",
        {
            "rows": rows,
            "said_no": said_no,
            "all_yes": not said_no,
            "total": TOTAL,
            "back_url": question_url(TOTAL),
        },
    )


@require_POST
def start_again(request):
    request.session.pop(SESSION_KEY, None)
    return redirect(question_url(1))


def checklist(request):
    return render_guide(request, "directory/guidance/checklist.html", "guidance:checklist")


def direct_payments(request):
    return render_guide(
        request, "directory/guidance/direct_payments.html", "guidance:direct-payments"
    )


def checks(request):
    return render_guide(request, "directory/guidance/checks.html", "guidance:checks")


def registration(request):
    # The law as the regulators explain it: see providers.regulators for the pages used.
    return render_guide(request, "directory/guidance/registration.html", "guidance:registration")
