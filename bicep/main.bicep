// CryFunctions in Azure: storage, the Function app (Flex Consumption), the training-jobs queue, a Container Apps
// environment with a serverless GPU profile running the event-driven training job, a registry, monitoring,
// user-assigned identities and least-privilege role assignments. No shared keys, no SAS, no secret in settings or outputs.
targetScope = 'resourceGroup'

@description('Short environment name (azd sets it); used in resource names.')
@minLength(2)
@maxLength(12)
param environmentName string

@description('Region for every resource (it needs serverless GPU quota for Container Apps).')
param location string = resourceGroup().location

@description('GPU of the training job: T4 (NC8as-T4, default) or A100 (NC24-A100).')
@allowed(['T4', 'A100'])
param trainingGpu string = 'T4'

@description('The training image in the registry (azd sets it after pushing infra/trainer.Dockerfile).')
param trainingImage string = 'mcr.microsoft.com/k8se/quickstart-jobs:latest'

@description('Where the Function app runs: flex (Flex Consumption, default) or containerapps (the Container Apps environment on the GPU profile, for CUDA inference; image infra/functions.Dockerfile).')
@allowed(['flex', 'containerapps'])
param functionHosting string = 'flex'

@description('The Function app image for functionHosting=containerapps.')
param functionsImage string = 'mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0'

@description('Hours a training run may take before Container Apps stops it.')
@minValue(1)
@maxValue(24)
param trainingTimeoutHours int = 4

@description('Days clips and features are kept (0: until erased by hand). Feeds both the app setting and a lifecycle rule.')
@minValue(0)
param retentionDays int = 0

@description('Days deleted or overwritten clips and models stay recoverable (soft delete, versions).')
@minValue(1)
@maxValue(30)
param versionRetentionDays int = 7

var suffix = uniqueString(subscription().id, resourceGroup().id, environmentName)
var tags = { 'azd-env-name': environmentName, product: 'cryfunctions' }
var gpuProfileType = trainingGpu == 'A100' ? 'Consumption-GPU-NC24-A100' : 'Consumption-GPU-NC8as-T4'
var gpuResources = trainingGpu == 'A100' ? { cpu: 24, memory: '220Gi' } : { cpu: 8, memory: '56Gi' }

// Built-in role definitions.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160ff3a'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'cry${suffix}'
    location: location
    versionRetentionDays: versionRetentionDays
    retentionDays: retentionDays
    tags: tags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: { name: 'cry-sb-${suffix}', location: location, tags: tags }
}

// Identities: the Function app; the training job; the job's KEDA scaler (reads the queue's message count).
resource functionIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'cry-func-${suffix}'
  location: location
  tags: tags
}

resource jobIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'cry-job-${suffix}'
  location: location
  tags: tags
}

resource scalerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'cry-scaler-${suffix}'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'cry-logs-${suffix}'
  location: location
  tags: tags
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'cry-ai-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: { Application_Type: 'web', WorkspaceResourceId: logs.id, DisableLocalAuth: true }
}

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: 'cryacr${suffix}'
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: { adminUserEnabled: false, anonymousPullEnabled: false }
}

resource environment 'Microsoft.App/managedEnvironments@2026-01-01' = {
  name: 'cry-env-${suffix}'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: { destination: 'azure-monitor' }
    workloadProfiles: [
      { name: 'Consumption', workloadProfileType: 'Consumption' }
      { name: 'gpu', workloadProfileType: gpuProfileType }
    ]
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: environment
  properties: {
    workspaceId: logs.id
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
  }
}

// The training job: one execution per queued job, on the GPU profile, scaled by KEDA's azure-servicebus rule.
resource trainingJob 'Microsoft.App/jobs@2026-01-01' = {
  name: 'cry-train-${suffix}'
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${jobIdentity.id}': {}, '${scalerIdentity.id}': {} }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'gpu'
    configuration: {
      triggerType: 'Event'
      replicaTimeout: trainingTimeoutHours * 3600
      replicaRetryLimit: 0
      registries: [{ server: registry.properties.loginServer, identity: jobIdentity.id }]
      eventTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
        scale: {
          minExecutions: 0
          maxExecutions: 2
          pollingInterval: 30
          rules: [
            {
              name: 'training-jobs'
              type: 'azure-servicebus'
              metadata: { queueName: 'training-jobs', namespace: serviceBus.outputs.name, messageCount: '1' }
              identity: scalerIdentity.id
            }
          ]
        }
      }
    }
    template: {
      containers: [
        {
          name: 'trainer'
          image: trainingImage
          args: ['train-job', '--from-service-bus']
          resources: gpuResources
          env: [
            { name: 'CryStorage__blobServiceUri', value: storage.outputs.blobEndpoint }
            { name: 'CryStorage__clientId', value: jobIdentity.properties.clientId }
            { name: 'CryServiceBus__fullyQualifiedNamespace', value: serviceBus.outputs.fullyQualifiedNamespace }
            { name: 'CryServiceBus__clientId', value: jobIdentity.properties.clientId }
          ]
        }
      ]
    }
  }
  dependsOn: [jobAcrPull]
}

// The Function app on Flex Consumption: identity-based storage and Service Bus, Event Grid clip triggers.
// Flex Consumption supports only Event Grid blob triggers: switch the polling pair off there; on Container Apps the
// polling pair runs (no Event Grid subscription needed) and the Event Grid pair is off.
var triggerSwitches = functionHosting == 'flex'
  ? [
      { name: 'AzureWebJobs.ClipUploaded.Disabled', value: 'true' }
      { name: 'AzureWebJobs.TrainingResultWritten.Disabled', value: 'true' }
    ]
  : [
      { name: 'AzureWebJobs.ClipUploadedEventGrid.Disabled', value: 'true' }
      { name: 'AzureWebJobs.TrainingResultWrittenEventGrid.Disabled', value: 'true' }
    ]

var functionSettings = concat(baseSettings, triggerSwitches)

var baseSettings = [
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: functionIdentity.properties.clientId }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.outputs.blobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.outputs.queueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.outputs.tableEndpoint }
  { name: 'CryStorage__credential', value: 'managedidentity' }
  { name: 'CryStorage__clientId', value: functionIdentity.properties.clientId }
  { name: 'CryStorage__blobServiceUri', value: storage.outputs.blobEndpoint }
  { name: 'CryStorage__queueServiceUri', value: storage.outputs.queueEndpoint }
  { name: 'CryServiceBus__fullyQualifiedNamespace', value: serviceBus.outputs.fullyQualifiedNamespace }
  { name: 'CryServiceBus__clientId', value: functionIdentity.properties.clientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${functionIdentity.properties.clientId};Authorization=AAD' }
  { name: 'Cry__TrainingDispatch', value: 'servicebus' }
  { name: 'Cry__TrainJobCommand', value: 'cry' }
  { name: 'Cry__RetentionDays', value: string(retentionDays) }
  { name: 'Cry__RetrainSchedule', value: '0 0 3 * * 0' }
  { name: 'Cry__RetrainEpochs', value: '40' }
  { name: 'Cry__TrainingTimeoutMinutes', value: string(trainingTimeoutHours * 60) }
  { name: 'Cry__PromotionMargin', value: '0.01' }
  { name: 'Cry__HoldoutShare', value: '0.2' }
  { name: 'Cry__MaxClipMegabytes', value: '20' }
  { name: 'Cry__MaxPredictBodyMegabytes', value: '10' }
  { name: 'Cry__MaxConcurrentPredictions', value: '0' } // 0: twice the processors; beyond it POST /api/predict answers 503 with Retry-After
  { name: 'Cry__BodyStallSeconds', value: '10' }
  // A GC heap limit of half the instance's memory (the value is hex: 0x32 = 50 %): without one the heap grew past
  // 1.3 GB in benchmarks/soak.sh; with one it stayed near 700 MB, and a request that does not fit is a 503 (benchmarks/README.md).
  { name: 'DOTNET_GCHeapHardLimitPercent', value: '0x32' }
  { name: 'Cry__ModelCacheFolder', value: '' }
  { name: 'Cry__ChampionCheckSeconds', value: '30' }
  { name: 'Cry__InferenceDevice', value: functionHosting == 'containerapps' ? 'auto' : 'cpu' }
  // FFmpeg is in the Container Apps image; Flex has none (docs/deploy.md): off there, so those formats get their 415.
  { name: 'CRY_FFMPEG', value: functionHosting == 'containerapps' ? 'ffmpeg' : '' }
  { name: 'Cry__InferenceThreads', value: '1' }
  { name: 'Cry__UncertaintyThreshold', value: '' }
]

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = if (functionHosting == 'flex') {
  name: 'cry-plan-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = if (functionHosting == 'flex') {
  name: 'cry-func-${suffix}'
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${functionIdentity.id}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.outputs.blobEndpoint}deployments'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: functionIdentity.id }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: functionSettings
    }
  }
}

// The alternative: the Function app as a Container App (kind functionapp) on the GPU profile, for CUDA inference.
resource functionContainerApp 'Microsoft.App/containerApps@2025-07-01' = if (functionHosting == 'containerapps') {
  name: 'cry-func-${suffix}'
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp'
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${functionIdentity.id}': {} } }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'gpu'
    configuration: {
      ingress: { external: true, targetPort: 80, transport: 'auto' }
      registries: [{ server: registry.properties.loginServer, identity: functionIdentity.id }]
    }
    template: {
      containers: [
        {
          name: 'functions'
          image: functionsImage
          resources: gpuResources
          env: functionSettings
        }
      ]
      scale: { minReplicas: 0, maxReplicas: 4 }
    }
  }
  dependsOn: [functionAcrPull]
}

resource functionAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (functionHosting == 'containerapps') {
  name: guid(registry.id, functionIdentity.id, roles.acrPull)
  scope: registry
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

// The Event Grid system topic on the storage account; the subscription that feeds the Event Grid blob triggers needs
// the app's blobs_extension key, which exists only after the code is deployed: infra/hooks/postdeploy.sh creates it.
resource storageEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: 'cry-events-${suffix}'
  location: location
  tags: tags
  properties: {
    source: storage.outputs.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// Role assignments, least privilege per identity.
resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: 'cry${suffix}'
  dependsOn: [storage]
}

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: 'cry-sb-${suffix}'
  dependsOn: [serviceBus]
}

resource trainingQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: serviceBusNamespace
  name: 'training-jobs'
}

resource functionBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionIdentity.id, roles.storageBlobDataOwner)
  scope: storageAccount
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}

resource functionQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionIdentity.id, roles.storageQueueDataContributor)
  scope: storageAccount
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

resource functionTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionIdentity.id, roles.storageTableDataContributor)
  scope: storageAccount
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource functionSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(trainingQueue.id, functionIdentity.id, roles.serviceBusDataSender)
  scope: trainingQueue
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
  }
}

resource functionMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, functionIdentity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource jobBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, jobIdentity.id, roles.storageBlobDataContributor)
  scope: storageAccount
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource jobReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(trainingQueue.id, jobIdentity.id, roles.serviceBusDataReceiver)
  scope: trainingQueue
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
  }
}

resource jobAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, jobIdentity.id, roles.acrPull)
  scope: registry
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

// KEDA's azure-servicebus scaler reads the queue's runtime properties (active message count), which needs the Manage
// right: Azure Service Bus Data Owner, on this queue only, for the scaler's own identity (not the job's).
resource scalerOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(trainingQueue.id, scalerIdentity.id, roles.serviceBusDataOwner)
  scope: trainingQueue
  properties: {
    principalId: scalerIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
  }
}

output AZURE_FUNCTION_APP_NAME string = 'cry-func-${suffix}'
output AZURE_FUNCTION_APP_URL string = functionHosting == 'flex'
  ? 'https://${functionApp!.properties.defaultHostName}'
  : 'https://${functionContainerApp!.properties.configuration.ingress.fqdn}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.properties.loginServer
output AZURE_TRAINING_JOB_NAME string = trainingJob.name
output AZURE_EVENT_GRID_TOPIC_NAME string = storageEvents.name
output AZURE_FUNCTION_IDENTITY_CLIENT_ID string = functionIdentity.properties.clientId
