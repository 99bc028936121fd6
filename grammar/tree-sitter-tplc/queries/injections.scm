; Body text carries light Markdown (`**bold**`, `[text](url)`, `- ` bullets). Text nodes
; are combined so that markup around a placeholder (`**{{ item.title }}**`) still pairs up.
((text) @injection.content
  (#set! injection.language "markdown_inline")
  (#set! injection.combined))
