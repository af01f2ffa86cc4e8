-- Driven by scripts/test.d/60-lsp-neovim.sh: Neovim with editors/nvim/brief.lua opens
-- $BRIEF_PROJECT/service.brief, and this script writes what the editor received to $BRIEF_OUT:
-- the diagnostics, a hover, a go-to-definition jump and the buffer after formatting.
local out = {}
local function say(line)
  table.insert(out, line)
end
local function finish()
  vim.fn.writefile(out, os.getenv("BRIEF_OUT"))
  vim.cmd("qa!")
end

local project = os.getenv("BRIEF_PROJECT")
vim.cmd("edit " .. project .. "/service.brief")
local buf = vim.api.nvim_get_current_buf()

if not vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
  say("no diagnostics")
  return finish()
end
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local first = vim.split(d.message, "\n")[1]
  say(string.format("diagnostic %s %d:%d-%d:%d %s", tostring(d.code), d.lnum, d.col, d.end_lnum, d.end_col, first))
end

local client = vim.lsp.get_active_clients()[1]
local uri = vim.uri_from_bufnr(buf)
local at = { textDocument = { uri = uri }, position = { line = 3, character = 21 } }

local hover = client.request_sync("textDocument/hover", at, 10000, buf)
if hover and hover.result then
  local first = vim.split(hover.result.contents.value, "\n")
  say("hover " .. table.concat(first, " | "))
else
  say("no hover")
end

local def = client.request_sync("textDocument/definition", at, 10000, buf)
if def and def.result then
  local loc = def.result[1] or def.result
  say(string.format("definition %s %d:%d", vim.fn.fnamemodify(vim.uri_to_fname(loc.uri), ":t"),
    loc.range.start.line, loc.range.start.character))
else
  say("no definition")
end

local fmt = client.request_sync("textDocument/formatting",
  { textDocument = { uri = uri }, options = { tabSize = 4, insertSpaces = true } }, 10000, buf)
if fmt and fmt.result then
  vim.lsp.util.apply_text_edits(fmt.result, buf, "utf-16")
  for _, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    say("formatted " .. l)
  end
else
  say("no formatting " .. vim.inspect(fmt))
end
finish()
