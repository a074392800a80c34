module example.com/web

go 1.22

require example.com/alpha v1.2.0

require (
	example.com/beta v1.0.0 // indirect
	github.com/UpperCase/mod v0.3.0 // indirect
)
