module github.com/brief-paas/paasctl/runtime-go

go 1.22
