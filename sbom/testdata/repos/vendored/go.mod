module example.com/vendored

go 1.22

require example.com/vend v0.4.0
