from ctforms.cli import main

main()
