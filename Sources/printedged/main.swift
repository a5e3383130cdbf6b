print("printedged: in progress")
