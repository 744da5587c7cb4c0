// Storage for the pipeline (clips, features, quarantine, models, datasets) and the Functions host: no shared keys,
// HTTPS only, TLS 1.2, no public blob access; soft delete and versioning keep overwritten or deleted clips and models
// for a short time. Erasing a clip on request must remove its versions too: the erase endpoint deletes the blob, and
// `az storage blob delete --delete-snapshots include` plus deleting each version (or waiting out the retention days)
// removes them for good; the lifecycle rule below deletes old versions after `versionRetentionDays`.

@description('Storage account name (3–24 lower-case letters and digits).')
param name string

@description('Region.')
param location string

@description('Days that deleted blobs and previous versions are kept.')
@minValue(1)
@maxValue(30)
param versionRetentionDays int

@description('Days after which clips and their features are deleted by a lifecycle rule; 0 turns the rule off.')
@minValue(0)
param retentionDays int

@description('Tags for every resource.')
param tags object

var containers = ['clips', 'features', 'quarantine', 'models', 'datasets', 'deployments']

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: versionRetentionDays }
    containerDeleteRetentionPolicy: { enabled: true, days: versionRetentionDays }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for container in containers: {
    parent: blobService
    name: container
    properties: { publicAccess: 'None' }
  }
]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: concat(
        [
          {
            name: 'delete-old-versions'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: { blobTypes: ['blockBlob'], prefixMatch: ['clips/', 'models/'] }
              actions: { version: { delete: { daysAfterCreationGreaterThan: versionRetentionDays } } }
            }
          }
        ],
        retentionDays > 0
          ? [
              {
                name: 'retention'
                enabled: true
                type: 'Lifecycle'
                definition: {
                  filters: { blobTypes: ['blockBlob'], prefixMatch: ['clips/', 'features/', 'quarantine/'] }
                  actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: retentionDays } } }
                }
              }
            ]
          : []
      )
    }
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
