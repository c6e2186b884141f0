payer { id = "f", name = 
