from caravan.cli import main

main()
