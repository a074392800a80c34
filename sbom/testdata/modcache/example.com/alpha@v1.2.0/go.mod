module example.com/alpha

go 1.21

require (
	example.com/beta v1.0.0
	github.com/UpperCase/mod v0.2.0
)
