/**
 * Tree-sitter grammar for tplc message templates (`.tplc`).
 *
 * It exists for editor highlighting and navigation, so it is deliberately forgiving:
 * block tags (`{% if %}`, `{% endif %}`...) are flat nodes rather than nested blocks, so a
 * half-typed template still highlights. The compiler's own parser is the authority on
 * what is valid.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const PREC = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  filter: 5,
};

module.exports = grammar({
  name: 'tplc',

  // Newlines are tokens inside the header (one entry per line); elsewhere they are extras.
  extras: _ => [/\s/],

  word: $ => $.identifier,

  rules: {
    source_file: $ => seq(optional($.header), repeat($._node)),

    // ---------------------------------------------------------------- header
    header: $ => seq(
      $.header_delimiter,
      '\n',
      repeat($._header_line),
      $.header_delimiter,
    ),

    // `---`; at the start of a file this is longer than the one-dash body text token.
    header_delimiter: _ => /---[ \t]*/,

    _header_line: $ => choice(
      $.param_declaration,
      $.header_entry,
      seq($.header_comment, '\n'),
      '\n',
    ),

    header_entry: $ => seq(
      field('key', alias($.identifier, $.key)),
      ':',
      optional(field('value', $.header_value)),
      '\n',
    ),

    header_value: $ => repeat1(choice($.header_text, $.output)),

    // Value text stops at `{` (a placeholder) and the end of the line. A `#` inside a value is
    // text (`subject: Order #{{ order.id }}`); only whole lines starting with `#` are comments.
    header_text: _ => token(prec(-1, /[^\s{]([^\n{]*[^\s{])?/)),

    header_comment: _ => token(seq('#', /[^\n]*/)),

    param_declaration: $ => seq(
      'param',
      field('name', $.identifier),
      ':',
      field('type', $.type),
      '\n',
    ),

    type: $ => seq(
      field('name', alias($.identifier, $.type_name)),
      optional(seq('<', $.type, '>')),
      optional($.optional_marker),
    ),

    optional_marker: _ => '?',

    // ------------------------------------------------------------------ body
    _node: $ => choice(
      $.text,
      $.output,
      $.comment,
      $.if_tag,
      $.elif_tag,
      $.else_tag,
      $.endif_tag,
      $.for_tag,
      $.endfor_tag,
      $.include_tag,
    ),

    // Literal text (markup included). It may not begin with `-` so that `---` at the very
    // start of a file is read as the header; a bullet's dash becomes its own text node.
    text: _ => token(choice(/[^{\-\s][^{]*/, '-', '{')),

    comment: _ => token(seq('{#', /([^#]|#+[^#}])*/, /#+\}/)),

    output: $ => seq(
      '{{',
      optional(field('expression', $._expression)),
      '}}',
    ),

    if_tag: $ => seq('{%', 'if', field('condition', $._expression), '%}'),
    elif_tag: $ => seq('{%', 'elif', field('condition', $._expression), '%}'),
    else_tag: _ => seq('{%', 'else', '%}'),
    endif_tag: _ => seq('{%', 'endif', '%}'),
    for_tag: $ => seq(
      '{%', 'for', field('variable', $.identifier), 'in', field('iterable', $._expression), '%}',
    ),
    endfor_tag: _ => seq('{%', 'endfor', '%}'),
    include_tag: $ => seq('{%', 'include', field('name', $.string), '%}'),

    // ------------------------------------------------------------ expressions
    _expression: $ => choice(
      $.path,
      $.string,
      $.number,
      $.boolean,
      $.parenthesized_expression,
      $.filtered_expression,
      $.not_expression,
      $.binary_expression,
    ),

    path: $ => prec.left(seq($.identifier, repeat(seq('.', $.identifier)))),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    filtered_expression: $ => prec.left(PREC.filter, seq(
      field('value', $._expression),
      '|',
      field('filter', $.filter),
    )),

    filter: $ => seq(field('name', $.identifier), optional($.arguments)),

    arguments: $ => seq('(', optional(seq($._expression, repeat(seq(',', $._expression)), optional(','))), ')'),

    not_expression: $ => prec(PREC.not, seq('not', $._expression)),

    binary_expression: $ => choice(
      prec.left(PREC.or, seq(field('left', $._expression), field('operator', 'or'), field('right', $._expression))),
      prec.left(PREC.and, seq(field('left', $._expression), field('operator', 'and'), field('right', $._expression))),
      ...['==', '!=', '<', '<=', '>', '>='].map(op =>
        prec.left(PREC.compare, seq(field('left', $._expression), field('operator', op), field('right', $._expression))),
      ),
    ),

    string: _ => token(choice(
      seq('"', /([^"\\\n]|\\.)*/, '"'),
      seq('\'', /([^'\\\n]|\\.)*/, '\''),
    )),

    number: _ => /\d+(\.\d+)?/,

    boolean: _ => choice('true', 'false'),

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,
  },
});
