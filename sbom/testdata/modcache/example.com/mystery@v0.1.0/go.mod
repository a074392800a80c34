module example.com/mystery

go 1.21
