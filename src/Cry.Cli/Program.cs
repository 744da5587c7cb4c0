return Cry.Cli.CryApp.Run(args, Console.Out, Console.Error);
