payer { id = "f", sevrity = 1 }
