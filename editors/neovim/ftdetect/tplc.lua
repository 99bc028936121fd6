vim.filetype.add({ extension = { tplc = 'tplc' } })
