module example.com/unknown

go 1.22

require (
	example.com/mystery v0.1.0
	example.com/nowhere v0.2.0
)
