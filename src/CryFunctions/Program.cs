using CryFunctions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddCryFunctions(builder.Configuration);
builder.Services.AddCryTelemetry(builder.Configuration);
builder.Build().Run();
