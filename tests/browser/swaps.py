"""What the browser tests record about an htmx swap, the same in Chromium and Firefox ESR."""

# Where the element of this id is as htmx finishes the swap, before the browser paints: a listener the test adds
# after the page's own, so it sees what they did.
RECORD_AT_SWAP = """(id) => document.addEventListener('htmx:afterSwap', () => {
    window.topAtSwap = document.getElementById(id).getBoundingClientRect().top;
})"""
