module cdagpause

go 1.22
