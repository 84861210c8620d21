module github.com/pitstoply/calsync/examples/go

go 1.19
