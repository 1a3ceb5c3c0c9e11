from kopdes.cli import main

main()
