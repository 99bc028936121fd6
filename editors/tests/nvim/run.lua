-- End-to-end tests of the Neovim plugin in a real headless Neovim (0.10+):
--   nvim --headless --clean -u NONE -l editors/tests/nvim/run.lua
-- Environment: TPLC_BIN (tplc executable; LSP checks are skipped when `TPLC_BIN lsp --help`
-- fails), TPLC_REQUIRE_LSP=1 turns those skips into failures (CI), XDG_* dirs pointing at a
-- scratch directory (the runner script sets them).
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local root = vim.fn.fnamemodify(here, ':h:h:h')
local fixtures = here .. '/../fixtures'

vim.opt.rtp:prepend(root .. '/editors/neovim')
vim.cmd('runtime! plugin/tplc.lua')
vim.cmd('runtime! ftdetect/tplc.lua')
local tplc = require('tplc')

local failures, passed, skipped = 0, 0, 0
local require_lsp = os.getenv('TPLC_REQUIRE_LSP') == '1'

local function check(name, cond, detail)
  if cond then
    passed = passed + 1
    print('ok - ' .. name)
  else
    failures = failures + 1
    print('not ok - ' .. name .. (detail and ('\n    ' .. detail) or ''))
  end
  return cond
end

local function skip(name, why)
  if require_lsp then
    check(name, false, 'required but skipped: ' .. why)
  else
    skipped = skipped + 1
    print('SKIP - ' .. name .. ': ' .. why)
  end
end

local function open(path)
  vim.cmd('silent! %bwipeout!')
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.fn.fnamemodify(path, ':p')))
  return vim.api.nvim_get_current_buf()
end

-- Filetype and commands -----------------------------------------------------------------
do
  local buf = open(fixtures .. '/review.tplc')
  check('.tplc files get filetype tplc', vim.bo[buf].filetype == 'tplc', 'filetype=' .. vim.bo[buf].filetype)
  for _, cmd in ipairs({ 'TplcPreview', 'TplcBuildParser', 'TplcRestart' }) do
    check(':' .. cmd .. ' exists', vim.fn.exists(':' .. cmd) == 2)
  end
end

-- Tree-sitter parser and highlight queries ----------------------------------------------
do
  local has_cc = vim.fn.executable(os.getenv('CC') or 'cc') == 1
  if not has_cc then
    skip('tree-sitter highlighting', 'no C compiler to build the parser')
  else
    local path, err = tplc.build_parser()
    check('parser compiles from grammar/tree-sitter-tplc/src', path ~= nil, err)
    check('parser loads', tplc.load_parser())
    tplc.setup({ cmd = { 'tplc-not-installed-here', 'lsp' } })
    local buf = open(fixtures .. '/showcase.tplc')
    vim.treesitter.start(buf, 'tplc')
    local tree = vim.treesitter.get_parser(buf, 'tplc'):parse()[1]
    check('showcase fixture parses without errors', not tree:root():has_error())
    local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local function captures_at(text, nth_line)
      local col = lines[nth_line]:find(text, 1, true)
      local names = {}
      for _, c in ipairs(vim.treesitter.get_captures_at_pos(buf, nth_line - 1, col - 1)) do
        names[#names + 1] = c.capture
      end
      return names
    end
    local function has_capture(text, nth_line, capture)
      local names = captures_at(text, nth_line)
      check(
        ('%q on line %d is highlighted as @%s'):format(text, nth_line, capture),
        vim.tbl_contains(names, capture),
        'captures: ' .. table.concat(names, ', ')
      )
    end
    has_capture('kind', 2, 'property')
    has_capture('delivery', 2, 'constant')
    has_capture('#', 3, 'comment')
    has_capture('param', 7, 'keyword')
    has_capture('text', 7, 'type')
    has_capture('default', 10, 'function')
    has_capture('"there"', 10, 'string')
    has_capture('if', 12, 'keyword.conditional')
    has_capture('for', 13, 'keyword.repeat')
    has_capture('include', 18, 'keyword.import')
    has_capture('tplc-allow', 19, 'comment.note')
  end
end

-- Language server ------------------------------------------------------------------------
local bin = os.getenv('TPLC_BIN') or 'tplc'
local lsp_ok = vim.fn.executable(bin) == 1 and vim.system({ bin, 'lsp', '--help' }):wait().code == 0

local function lsp_tests()
  local warnings = {}
  local notify = vim.notify
  vim.notify = function(msg, level)
    warnings[#warnings + 1] = msg
    return notify(msg, level)
  end
  tplc.setup({ cmd = { bin, 'lsp' } })
  vim.notify = notify
  check('no missing-binary warning when the binary exists', #warnings == 0, table.concat(warnings, '\n'))

  -- A project of its own (tplc.toml marks the root), so the server sees only these files.
  local project = vim.fn.tempname()
  vim.fn.mkdir(project, 'p')
  vim.fn.writefile({ '[project]', 'name = "editor-tests"' }, project .. '/tplc.toml')
  for _, name in ipairs({ 'review.tplc', 'delivery.tplc' }) do
    vim.fn.writefile(vim.fn.readfile(fixtures .. '/' .. name), project .. '/' .. name)
  end

  local buf = open(project .. '/review.tplc')
  local attached = vim.wait(15000, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'tplc' }) > 0
  end, 50)
  if not check('tplc lsp attaches to the buffer', attached) then
    return
  end
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'tplc' })[1]
  check(
    'settings travel as JSON objects even when empty',
    vim.json.encode(client.config.init_options) == '{}' and vim.json.encode(client.config.settings) == '{"tplc":{}}',
    vim.json.encode(client.config.init_options) .. ' ' .. vim.json.encode(client.config.settings)
  )

  local function by_code(code)
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == code then
        return d
      end
    end
  end
  vim.wait(20000, function()
    return by_code('unknown-field') and by_code('conditional-review-ask') and by_code('sentiment-word')
  end, 50)
  local line5 = vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1]
  local line6 = vim.api.nvim_buf_get_lines(buf, 5, 6, false)[1]

  local unknown = by_code('unknown-field')
  if check('unknown-field is reported', unknown ~= nil) then
    local col = line5:find('nme', 1, true) - 1
    check(
      'unknown-field points at `nme` (line 5)',
      unknown.lnum == 4 and unknown.col == col and unknown.end_lnum == 4 and unknown.end_col == col + 3,
      vim.inspect({ unknown.lnum, unknown.col, unknown.end_lnum, unknown.end_col })
    )
    check('diagnostic source is tplc', unknown.source == 'tplc', tostring(unknown.source))
  end
  local conditional = by_code('conditional-review-ask')
  if check('conditional-review-ask is reported', conditional ~= nil) then
    check('conditional-review-ask is on line 6', conditional.lnum == 5, tostring(conditional.lnum))
  end
  local sentiment = by_code('sentiment-word')
  if check('sentiment-word is reported', sentiment ~= nil) then
    local col = line6:find('happy', 1, true) - 1
    check(
      'sentiment-word points at `happy` (line 6)',
      sentiment.lnum == 5 and sentiment.col == col and sentiment.end_col == col + 5,
      vim.inspect({ sentiment.lnum, sentiment.col, sentiment.end_lnum, sentiment.end_col })
    )
  end

  -- Code action: the quick fix for `nme`.
  if unknown then
    local lsp_diag = unknown.user_data and unknown.user_data.lsp
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = lsp_diag and lsp_diag.range or {
        start = { line = unknown.lnum, character = unknown.col },
        ['end'] = { line = unknown.end_lnum, character = unknown.end_col },
      },
      context = { diagnostics = lsp_diag and { lsp_diag } or {}, only = { 'quickfix' } },
    }
    local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000) or {}
    local action
    for _, res in pairs(responses) do
      for _, a in ipairs(res.result or {}) do
        if a.title and a.title:find('name', 1, true) then
          action = a
        end
      end
    end
    if check('a quick fix replaces `nme` with `name`', action ~= nil, vim.inspect(responses)) then
      if not action.edit and action.data then
        local resolved = vim.lsp.buf_request_sync(buf, 'codeAction/resolve', action, 10000) or {}
        for _, res in pairs(resolved) do
          action = res.result or action
        end
      end
      if action.edit then
        vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      end
      local new5 = vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1]
      check(
        'applying the quick fix rewrites line 5',
        new5 == 'Hello {{ buyer.name | default("there") }}, thank you for order {{ order.id }}.',
        new5
      )
      local cleared = vim.wait(10000, function()
        return by_code('unknown-field') == nil and by_code('sentiment-word') ~= nil
      end, 50)
      check('unknown-field disappears after the edit, the others stay', cleared)
    end
  end

  -- Hover on `buyer.name`.
  do
    local text = vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1]
    local col = text:find('name', 1, true)
    local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = { line = 4, character = col },
    }, 10000) or {}
    local contents = ''
    for _, res in pairs(responses) do
      if res.result and res.result.contents then
        local c = res.result.contents
        if type(c) == 'string' then
          contents = contents .. c
        elseif c.value then
          contents = contents .. c.value
        else
          for _, part in ipairs(c) do
            contents = contents .. (type(part) == 'string' and part or part.value or '')
          end
        end
      end
    end
    check('hover on buyer.name shows its type `text?`', contents:find('text?', 1, true) ~= nil, contents)
    check("hover on buyer.name describes it (the buyer's name)", contents:lower():find("buyer's name", 1, true) ~= nil, contents)
  end

  -- Preview through the workspace command, on a template without errors (the server
  -- renders only those).
  do
    local clean = open(project .. '/delivery.tplc')
    vim.wait(15000, function()
      return #vim.lsp.get_clients({ bufnr = clean, name = 'tplc' }) > 0
    end, 50)
    local got
    tplc.render(clean, function(err, result)
      got = { err = err, result = result }
    end)
    vim.wait(10000, function()
      return got ~= nil
    end, 50)
    local ok = got and got.result and got.result.text:find('thank you for order', 1, true) ~= nil
    check('tplc.preview renders the text', ok, vim.inspect(got))
    check('tplc.preview renders HTML', ok and type(got.result.html) == 'string' and got.result.html:find('<', 1, true) ~= nil)

    -- The user command shows the text in a split.
    vim.cmd('TplcPreview')
    local shown
    vim.wait(10000, function()
      for _, b in ipairs(vim.api.nvim_list_bufs()) do
        if vim.api.nvim_buf_get_name(b):find('^tplc%-preview://') then
          shown = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
          return shown:find('thank you for order', 1, true) ~= nil
        end
      end
      return false
    end, 50)
    check(':TplcPreview opens the rendered text in a split', shown and shown:find('thank you for order', 1, true) ~= nil, shown)
  end

  -- Settings changed live reach the server, which re-checks: `off` removes the code,
  -- clearing the setting brings it back (tplc.toml sets nothing for it).
  do
    local b = open(project .. '/review.tplc')
    local function has(code)
      for _, d in ipairs(vim.diagnostic.get(b)) do
        if d.code == code then
          return true
        end
      end
      return false
    end
    vim.wait(15000, function()
      return has('sentiment-word')
    end, 50)
    tplc.set_settings({ rules = { ['sentiment-word'] = 'off' } })
    local gone = vim.wait(15000, function()
      return not has('sentiment-word') and has('conditional-review-ask')
    end, 50)
    check('set_settings: sentiment-word off removes it, other codes stay', gone)
    tplc.set_settings({})
    local back = vim.wait(15000, function()
      return has('sentiment-word')
    end, 50)
    check('set_settings: clearing the setting brings sentiment-word back', back)
  end

  -- :TplcRestart replaces the client and diagnostics come back.
  do
    local buf2 = open(project .. '/review.tplc')
    vim.wait(10000, function()
      return #vim.lsp.get_clients({ bufnr = buf2, name = 'tplc' }) > 0
    end, 50)
    local before = vim.lsp.get_clients({ bufnr = buf2, name = 'tplc' })[1]
    vim.cmd('TplcRestart')
    local restarted = vim.wait(15000, function()
      local now = vim.lsp.get_clients({ bufnr = buf2, name = 'tplc' })[1]
      return now ~= nil and before ~= nil and now.id ~= before.id
    end, 50)
    check(':TplcRestart starts a new client', restarted)
  end

  -- Per-buffer clients (vim.lsp.start, the Neovim 0.10 path), set up after the buffer opened.
  do
    for _, c in ipairs(vim.lsp.get_clients({ name = 'tplc' })) do
      c:stop(true)
    end
    vim.wait(5000, function()
      return #vim.lsp.get_clients({ name = 'tplc' }) == 0
    end, 50)
    local buf3 = open(project .. '/review.tplc')
    package.loaded['tplc'] = nil
    require('tplc').setup({ cmd = { bin, 'lsp' }, use_lsp_enable = false, highlight = false })
    local got_diags = vim.wait(20000, function()
      for _, d in ipairs(vim.diagnostic.get(buf3)) do
        if d.code == 'sentiment-word' then
          return true
        end
      end
      return false
    end, 50)
    check('vim.lsp.start path: a buffer opened before setup() gets diagnostics', got_diags)
    check(
      'vim.lsp.start path: exactly one tplc client on the buffer',
      #vim.lsp.get_clients({ bufnr = buf3, name = 'tplc' }) == 1,
      tostring(#vim.lsp.get_clients({ bufnr = buf3, name = 'tplc' }))
    )
  end
end

if lsp_ok then
  lsp_tests()
else
  skip('language server tests', ('`%s lsp --help` failed: build tplc (cargo build --release) or set TPLC_BIN'):format(bin))
end

-- A missing binary gives one clear warning instead of an error.
do
  local messages = {}
  local notify = vim.notify
  vim.notify = function(msg)
    messages[#messages + 1] = msg
  end
  package.loaded['tplc'] = nil
  local fresh = require('tplc')
  fresh.setup({ cmd = { 'tplc-does-not-exist', 'lsp' }, highlight = false })
  open(fixtures .. '/review.tplc')
  vim.notify = notify
  check(
    'missing binary: one warning that says how to fix it',
    #messages == 1 and messages[1]:find('tplc-does-not-exist', 1, true) ~= nil and messages[1]:find('cmd', 1, true) ~= nil,
    vim.inspect(messages)
  )
end

io.stdout:write(('\n%d passed, %d failed, %d skipped\n'):format(passed, failures, skipped))
os.exit(failures > 0 and 1 or 0)
