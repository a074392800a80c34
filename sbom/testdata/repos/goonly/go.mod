module example.com/app

go 1.22

require (
	example.com/alpha v1.2.0
	example.com/old v1.0.0
	example.com/local v0.0.0
	github.com/UpperCase/mod v0.3.0
)

require example.com/beta v1.0.0 // indirect

replace example.com/old => example.com/new v1.1.0+incompatible

replace example.com/local => ./local
