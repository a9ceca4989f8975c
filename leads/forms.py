from django import forms

#: Where a report may point back to: a page of this site, never another site.
MAX_PAGE = 500


class ReportForm(forms.Form):
    """Report a mistake or suggest a source. `website` is a honeypot: people never see
    it, so anything typed into it came from a bot."""

    page = forms.CharField(required=False, max_length=MAX_PAGE, widget=forms.HiddenInput)
    problem = forms.CharField(
        label="What is wrong, or what is missing?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what is wrong or missing"},
    )
    source_url = forms.URLField(
        label="Link to a source (optional)",
        required=False,
        max_length=1000,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a web address in the correct format, like https://www.gov.uk"
        },
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    website = forms.CharField(label="Leave this field empty", required=False)

    def clean_page(self):
        page = self.cleaned_data.get("page", "")
        # Only a path on this site, so the inbox never links staff somewhere else.
        return page if page.startswith("/") and not page.startswith("//") else ""

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())
