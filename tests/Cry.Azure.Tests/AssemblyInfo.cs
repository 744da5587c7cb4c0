[assembly: AssemblyFixture(typeof(Cry.Pipeline.Tests.Azurite))]
