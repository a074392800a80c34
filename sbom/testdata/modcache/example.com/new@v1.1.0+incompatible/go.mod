module example.com/new
