-- User commands only; the language server starts after require('tplc').setup().
if vim.g.loaded_tplc then
  return
end
vim.g.loaded_tplc = true

vim.filetype.add({ extension = { tplc = 'tplc' } })

vim.api.nvim_create_user_command('TplcPreview', function(cmd)
  require('tplc').preview({ format = cmd.args ~= '' and cmd.args or 'text' })
end, {
  nargs = '?',
  complete = function()
    return { 'text', 'html' }
  end,
  desc = 'Render the current tplc template (text in a split, html in the browser)',
})

vim.api.nvim_create_user_command('TplcBuildParser', function()
  require('tplc').build_parser({ notify = true })
end, { desc = 'Compile the tplc tree-sitter parser for highlighting' })

vim.api.nvim_create_user_command('TplcRestart', function()
  require('tplc').restart()
end, { desc = 'Restart the tplc language server' })
