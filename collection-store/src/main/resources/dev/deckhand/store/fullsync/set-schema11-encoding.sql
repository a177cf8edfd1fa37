-- Text in the file is UTF-8, as clients expect.
pragma encoding = 'UTF-8'
