-- The brief language server in Neovim (0.7 or newer), with the built-in LSP client.
-- Use it from init.lua with `dofile("/path/to/editors/nvim/brief.lua")`, or copy it there.
-- `vim.g.brief_paasctl` names the paasctl binary (default: `paasctl` on PATH).
-- It starts one `paasctl lsp` per service project (the directory with app.toml) and attaches
-- every `.brief` file and the project's app.toml to it (docs/editors.md).
-- Filetypes without relying on the runtime's detection (Neovim 0.7 needs it opt-in).
vim.cmd([[
  augroup brief_filetype
    autocmd!
    autocmd BufRead,BufNewFile *.brief setfiletype brief
    autocmd BufRead,BufNewFile app.toml setfiletype toml
  augroup END
]])

local function root_of(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while dir ~= "/" and dir ~= "" do
    if vim.fn.filereadable(dir .. "/app.toml") == 1 then
      return dir
    end
    dir = vim.fn.fnamemodify(dir, ":h")
  end
  return vim.fn.fnamemodify(path, ":p:h")
end

local clients = {}

vim.api.nvim_create_autocmd("FileType", {
  pattern = { "brief", "toml" },
  callback = function(args)
    local name = vim.api.nvim_buf_get_name(args.buf)
    if vim.bo[args.buf].filetype == "toml" and vim.fn.fnamemodify(name, ":t") ~= "app.toml" then
      return
    end
    local root = root_of(name)
    local id = clients[root]
    if id == nil or vim.lsp.get_client_by_id(id) == nil then
      id = vim.lsp.start_client({
        name = "brief",
        cmd = { vim.g.brief_paasctl or "paasctl", "lsp" },
        root_dir = root,
      })
      clients[root] = id
    end
    if id ~= nil then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
