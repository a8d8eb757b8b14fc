"""The PDF of a published sheet, for publication alongside the statement of accounts.

WeasyPrint renders a dedicated template with the app's print stylesheet read from disk. Nothing is
fetched over the network: the URL fetcher refuses every URL that is not a file under the static
directories.

The PDF is tagged (WeasyPrint's `pdf_tags`): a structure tree of headings, paragraphs and tables
that screen readers read, marked as tagged, with the document's language and title (from the
template's `<html lang>` and `<title>`) shown as its name. It does not claim PDF/UA conformance,
which no checker here has confirmed.
"""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PDF_STYLESHEET = "balancesheets/pdf.css"


def render_pdf(*, template: str, context: dict, request=None) -> bytes:
    """Render `template` with `context` to PDF bytes."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    stylesheet = finders.find(PDF_STYLESHEET)
    if stylesheet is None:  # pragma: no cover - the file ships with the app
        raise FileNotFoundError(PDF_STYLESHEET)
    local_only = URLFetcher(allowed_protocols={"file"}, timeout=1)
    html = render_to_string(template, context, request=request)
    document = weasyprint.HTML(
        string=html, base_url=str(Path(stylesheet).parent), url_fetcher=local_only
    )
    css = weasyprint.CSS(filename=stylesheet, url_fetcher=local_only)
    return document.write_pdf(stylesheets=[css], pdf_tags=True)
