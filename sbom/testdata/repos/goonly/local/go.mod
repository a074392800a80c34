module example.com/local

go 1.22

require example.com/beta v1.0.0
