from cloudlet.cli import main

main()
