module spotify-pipeline/node-tools

go 1.24.0
