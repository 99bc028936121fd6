--- tplc for Neovim: filetype, language server (`tplc lsp`), preview and tree-sitter highlighting.
local M = {}

local uv = vim.uv or vim.loop

M.defaults = {
  -- Command that starts the language server.
  cmd = { 'tplc', 'lsp' },
  -- Files that mark a tplc project root.
  root_markers = { 'tplc.toml', '.git' },
  -- Server settings, shaped like tplc.toml; they fill what tplc.toml leaves unset:
  -- { rules = { ['sentiment-word'] = 'warning' }, project = { ['default-locale'] = 'en-US' },
  --   budget = { ['max-messages'] = 1 }, debounceMs = 200 }
  settings = {},
  -- Start tree-sitter highlighting for tplc buffers when the parser is installed
  -- (`:TplcBuildParser` compiles it).
  highlight = true,
  -- Extra `vim.lsp` client options (on_attach, capabilities, ...).
  lsp = {},
  -- On Neovim 0.11+, register the server with vim.lsp.config/vim.lsp.enable. Set to false
  -- to start one client per buffer with vim.lsp.start instead (what 0.10 always does).
  use_lsp_enable = true,
}

M.config = vim.deepcopy(M.defaults)

local has_011 = vim.fn.has('nvim-0.11') == 1
local warned_missing = false

--- Root of the repository this plugin was loaded from (editors/neovim/lua/tplc/init.lua).
local function repo_root()
  local source = debug.getinfo(1, 'S').source:sub(2)
  return vim.fn.fnamemodify(source, ':p:h:h:h:h:h')
end

--- Directory holding the tree-sitter grammar sources shipped with the plugin.
function M.grammar_dir()
  return repo_root() .. '/grammar/tree-sitter-tplc'
end

local function executable_available(cmd)
  return type(cmd) == 'table' and cmd[1] ~= nil and vim.fn.executable(cmd[1]) == 1
end

local function warn_missing(cmd)
  if warned_missing then
    return
  end
  warned_missing = true
  vim.notify(
    ('tplc: %q was not found, so templates are not checked. Install tplc '
      .. '(`cargo install --path crates/cli` in the tplc repository) or pass '
      .. "require('tplc').setup({ cmd = { '/path/to/tplc', 'lsp' } })."):format(tostring(cmd[1])),
    vim.log.levels.WARN
  )
end

--- An empty Lua table would be sent as a JSON array; the server expects objects.
local function object(t)
  if type(t) ~= 'table' or next(t) == nil then
    return vim.empty_dict()
  end
  return t
end

local function client_config()
  local settings = vim.deepcopy(M.config.settings or {})
  local config = vim.tbl_deep_extend('force', {
    cmd = M.config.cmd,
    filetypes = { 'tplc' },
    root_markers = M.config.root_markers,
  }, M.config.lsp or {})
  config.init_options = object(settings)
  config.settings = { tplc = object(settings) }
  return config
end

--- Starts the server for one buffer on Neovim 0.10 (no vim.lsp.config there).
local function start_legacy(buf)
  local config = client_config()
  local fname = vim.api.nvim_buf_get_name(buf)
  local root = vim.fs.root and vim.fs.root(buf, config.root_markers) or nil
  config.root_dir = root or vim.fn.fnamemodify(fname, ':p:h')
  config.name = 'tplc'
  config.root_markers = nil
  config.filetypes = nil
  vim.lsp.start(config, { bufnr = buf })
end

--- Runs the FileType autocommands for `tplc` again in `buf` (optionally only `group`).
local function refire_filetype(buf, group)
  vim.api.nvim_buf_call(buf, function()
    vim.api.nvim_exec_autocmds('FileType', { group = group, pattern = 'tplc', modeline = false })
  end)
end

local function start_highlight(buf)
  if not M.config.highlight then
    return
  end
  if M.load_parser() then
    pcall(vim.treesitter.start, buf, 'tplc')
  end
end

--- Registers the parser with Neovim if a compiled one can be found; returns true on success.
function M.load_parser()
  -- language.add reports failure differently across versions (error vs nil); inspect()
  -- fails in all of them when the language is not loaded.
  local function loaded()
    return (pcall(vim.treesitter.language.inspect, 'tplc'))
  end
  if loaded() then
    return true
  end
  pcall(vim.treesitter.language.add, 'tplc')
  if not loaded() and uv.fs_stat(M.parser_path()) then
    pcall(vim.treesitter.language.add, 'tplc', { path = M.parser_path() })
  end
  return loaded()
end

--- Where :TplcBuildParser puts the compiled parser (on 'runtimepath' through the site dir).
function M.parser_path()
  return vim.fn.stdpath('data') .. '/site/parser/tplc.so'
end

--- Compiles grammar/tree-sitter-tplc/src/parser.c with the system C compiler.
--- Returns the path of the shared library, or nil and an error message.
function M.build_parser(opts)
  opts = opts or {}
  local src = M.grammar_dir() .. '/src'
  local out = opts.output or M.parser_path()
  local cc = os.getenv('CC') or 'cc'
  if vim.fn.executable(cc) ~= 1 then
    local msg = 'tplc: no C compiler (' .. cc .. ') found; install gcc or clang, or set $CC.'
    if opts.notify then
      vim.notify(msg, vim.log.levels.ERROR)
    end
    return nil, msg
  end
  vim.fn.mkdir(vim.fn.fnamemodify(out, ':h'), 'p')
  local result = vim
    .system({ cc, '-o', out, '-shared', '-fPIC', '-O2', '-I', src, src .. '/parser.c' }, { text = true })
    :wait()
  if result.code ~= 0 then
    local msg = 'tplc: compiling the parser failed:\n' .. (result.stderr or '')
    if opts.notify then
      vim.notify(msg, vim.log.levels.ERROR)
    end
    return nil, msg
  end
  if opts.notify then
    vim.notify('tplc: parser installed at ' .. out)
  end
  return out
end

--- Sets the plugin up. Safe to call more than once (the last options win).
function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  vim.filetype.add({ extension = { tplc = 'tplc' } })

  local group = vim.api.nvim_create_augroup('tplc', { clear = true })
  local lsp_enabled = executable_available(M.config.cmd)
  local use_enable = has_011 and M.config.use_lsp_enable
  if has_011 then
    if lsp_enabled and use_enable then
      -- Assigned, not merged, so that a second setup() drops settings it no longer has.
      vim.lsp.config['tplc'] = client_config()
    end
    vim.lsp.enable('tplc', lsp_enabled and use_enable)
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'tplc',
    callback = function(args)
      start_highlight(args.buf)
      if not lsp_enabled then
        warn_missing(M.config.cmd)
      elseif not use_enable then
        start_legacy(args.buf)
      end
    end,
  })
  -- Buffers opened before setup() ran.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'tplc' then
      refire_filetype(buf, group)
    end
  end
end

--- Replaces the server settings (shaped like tplc.toml, see `settings` in M.defaults)
--- for running and future clients. Running servers re-check every template at once.
function M.set_settings(settings)
  M.config.settings = settings or {}
  if has_011 and M.config.use_lsp_enable and executable_available(M.config.cmd) then
    -- Assigned, not merged: vim.lsp.config('tplc', ...) would keep removed settings.
    vim.lsp.config['tplc'] = client_config()
  end
  local section = object(vim.deepcopy(M.config.settings))
  for _, client in ipairs(vim.lsp.get_clients({ name = 'tplc' })) do
    -- What Neovim answers to workspace/configuration (0.11 reads client.settings).
    client.settings = { tplc = section }
    client.config.settings = { tplc = section }
    local params = { settings = { tplc = section } }
    if has_011 then
      client:notify('workspace/didChangeConfiguration', params)
    else
      client.notify('workspace/didChangeConfiguration', params)
    end
  end
end

local function tplc_client(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'tplc' })[1]
end

local function request(client, method, params, handler, buf)
  if has_011 then
    return client:request(method, params, handler, buf)
  end
  return client.request(method, params, handler, buf)
end

--- Asks the server to render the buffer; calls `on_result(err, { text = ..., html = ... })`.
function M.render(buf, on_result)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local client = tplc_client(buf)
  if not client then
    on_result('the tplc language server is not attached to this buffer', nil)
    return
  end
  request(client, 'workspace/executeCommand', {
    command = 'tplc.preview',
    arguments = { { uri = vim.uri_from_bufnr(buf) } },
  }, function(err, result)
    if err then
      on_result(err.message or vim.inspect(err), nil)
    elseif type(result) ~= 'table' or type(result.text) ~= 'string' then
      on_result('the server returned no preview', nil)
    else
      on_result(nil, result)
    end
  end, buf)
end

--- :TplcPreview: the text rendering in a scratch split, or the HTML in the browser.
function M.preview(opts)
  opts = opts or {}
  local format = opts.format or 'text'
  local buf = vim.api.nvim_get_current_buf()
  M.render(buf, function(err, result)
    if err then
      vim.notify('tplc: cannot preview: ' .. err, vim.log.levels.ERROR)
      return
    end
    if format == 'html' then
      local file = vim.fn.tempname() .. '.html'
      vim.fn.writefile(vim.split(result.html or '', '\n', { plain = true }), file)
      if vim.ui.open then
        vim.ui.open(file)
      else
        vim.notify('tplc: HTML preview written to ' .. file)
      end
      return
    end
    local name = 'tplc-preview://' .. vim.api.nvim_buf_get_name(buf)
    local out = vim.fn.bufnr(name)
    if out == -1 then
      out = vim.api.nvim_create_buf(false, true)
      vim.api.nvim_buf_set_name(out, name)
      vim.bo[out].bufhidden = 'wipe'
      vim.bo[out].filetype = 'markdown'
    end
    vim.bo[out].modifiable = true
    vim.api.nvim_buf_set_lines(out, 0, -1, false, vim.split(result.text, '\n', { plain = true }))
    vim.bo[out].modifiable = false
    if vim.fn.bufwinid(out) == -1 then
      vim.cmd('vsplit')
      vim.api.nvim_win_set_buf(0, out)
    end
  end)
end

function M.restart()
  for _, client in ipairs(vim.lsp.get_clients({ name = 'tplc' })) do
    if has_011 then
      client:stop()
    else
      client.stop()
    end
  end
  vim.defer_fn(function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'tplc' then
        -- Both vim.lsp.enable and the per-buffer start react to FileType.
        refire_filetype(buf)
      end
    end
  end, 500)
end

return M
