"""The GraphQL operations the benchmarks send, as module constants (the baselines mirror them)."""

from __future__ import annotations

# A public list page as the map and the app show it: 23 fields per report plus its photos.
READ = """
query Reports($first: Int!, $after: String) {
  reports(first: $first, after: $after) {
    edges {
      cursor
      node {
        id code title description status submittedAt updatedAt dueAt isOverdue version
        location { latitude longitude address }
        category { id name }
        area { id name }
        assignedAgency { id name }
        attachments { id url contentType }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SUBMIT = """
mutation Submit($input: SubmitReportInput!) {
  submitReport(input: $input) {
    report { id code status }
    userErrors { code field message }
  }
}
"""

# What a search box or a map shows per hit; no totalCount (a count over every match is a
# separate cost a client asks for on purpose).
SEARCH = """
query Search($filter: ReportFilter!) {
  reports(first: 20, filter: $filter) {
    edges { node { id code title status submittedAt location { latitude longitude } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

STATS = """
query Stats($filter: ReportFilter) {
  reportStats(filter: $filter) {
    total
    byStatus { status count }
    byCategory { category { name } count }
    byAgency { agency { name } count }
    byArea { area { name } count }
    byMonth { month count }
    onTime { answered onTime share }
    timeToFirstResponse { count medianHours }
    timeToResolution { count medianHours }
    satisfaction { ratings shares { satisfaction count share } }
  }
}
"""

# The public feed as a map page follows it.
SUBSCRIBE = """
subscription Feed {
  publicReportEvents {
    id cursor type at actorLabel fromStatus toStatus note
    report { id code title status location { latitude longitude } category { name } }
  }
}
"""

# The event that the fan-out sends: a coordinator's public message on a public report.
TRIGGER = """
mutation Post($input: PostMessageInput!) {
  postMessage(input: $input) { message { id } userErrors { code message } }
}
"""
