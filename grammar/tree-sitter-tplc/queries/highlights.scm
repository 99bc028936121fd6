; Header -------------------------------------------------------------------

(header_delimiter) @punctuation.special

(header_entry
  key: (key) @property
  ":" @punctuation.delimiter)

; The message kind and locale are identifiers, not prose. (The key's own capture doubles as
; the predicate's subject, so no extra capture leaks into highlighters that show all names.)
(header_entry
  key: (key) @property
  value: (header_value
    (header_text) @constant)
  (#any-of? @property "kind" "locale" "id"))

(header_entry
  key: (key) @property
  value: (header_value
    (header_text) @string.special)
  (#eq? @property "send"))

(header_entry
  key: (key) @property
  value: (header_value
    (header_text) @string)
  (#eq? @property "subject"))

(header_comment) @comment

"param" @keyword

(param_declaration
  name: (identifier) @variable.parameter
  ":" @punctuation.delimiter)

(type_name) @type

(optional_marker) @operator

(type
  [
    "<"
    ">"
  ] @punctuation.bracket)

; Body tags ----------------------------------------------------------------

(comment) @comment

; `{# tplc-allow: code -- reason #}` suppresses a diagnostic: make it stand out.
((comment) @comment.note
  (#match? @comment.note "^.#\\s*tplc-allow"))

[
  "{{"
  "}}"
  "{%"
  "%}"
] @punctuation.special

[
  "if"
  "elif"
  "else"
  "endif"
] @keyword.conditional

[
  "for"
  "in"
  "endfor"
] @keyword.repeat

"include" @keyword.import

(include_tag
  name: (string) @string.special.path)

(for_tag
  variable: (identifier) @variable)

; Expressions --------------------------------------------------------------

(path
  .
  (identifier) @variable)

(path
  "." @punctuation.delimiter
  (identifier) @variable.member)

(filter
  name: (identifier) @function)

"|" @operator

(binary_expression
  operator: _ @operator)

[
  "and"
  "or"
  "not"
] @keyword.operator

[
  "("
  ")"
] @punctuation.bracket

"," @punctuation.delimiter

(string) @string

(number) @number

(boolean) @boolean
