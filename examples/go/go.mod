module example.com/calsync

go 1.19
