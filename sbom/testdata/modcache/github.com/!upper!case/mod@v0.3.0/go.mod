module github.com/UpperCase/mod

go 1.21

require example.com/beta v1.0.0
