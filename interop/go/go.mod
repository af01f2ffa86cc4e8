module interop

go 1.22

require github.com/brief-paas/paasctl/runtime-go v0.0.0

replace github.com/brief-paas/paasctl/runtime-go => ../../runtime-go
