// The GraphQL operations the pages send, in one place, written against schema.graphql.

export const PAGE = 100; // the API's largest page

export const EVENT_FIELDS = `
  id cursor type at actorLabel fromStatus toStatus note
  message { id body visibility authorLabel createdAt }
  rating { satisfaction comment }`;

const ROW_FIELDS = `
  id code title status isOverdue dueAt submittedAt updatedAt version
  category { id name }
  area { id name }
  assignedAgency { id name }`;

const MESSAGE_FIELDS = `
  id body visibility authorLabel createdAt
  attachments { id url contentType byteSize }`;

const DETAIL_FIELDS = `
  ${ROW_FIELDS}
  description resolvedAt closedAt availableActions
  category { id name defaultDueDays notice }
  location { latitude longitude address }
  suggestedAgency { id name }
  duplicateOf { id code title }
  attachments { id url contentType byteSize width height }
  reporter { displayName phone }
  rating { satisfaction comment ratedAt }
  timeline(first: ${PAGE}) { pageInfo { hasNextPage endCursor } edges { node { ${EVENT_FIELDS} } } }
  messages(first: ${PAGE}) { pageInfo { hasNextPage endCursor } edges { node { ${MESSAGE_FIELDS} } } }`;

export const REPORT_LIST = `query ReportList($first: Int, $after: String, $filter: ReportFilter) {
  reports(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${ROW_FIELDS} } }
  }
}`;

export const REPORT_DETAIL = `query ReportDetail($id: ID, $code: String) {
  report(id: $id, code: $code) { ${DETAIL_FIELDS} }
}`;

// Later pages of a long timeline or conversation (a page holds at most 100).
export const TIMELINE_PAGE = `query TimelinePage($id: ID!, $after: String) {
  node(id: $id) { ... on Report {
    timeline(first: ${PAGE}, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { ${EVENT_FIELDS} } }
    }
  } }
}`;

export const MESSAGES_PAGE = `query MessagesPage($id: ID!, $after: String) {
  node(id: $id) { ... on Report {
    messages(first: ${PAGE}, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { ${MESSAGE_FIELDS} } }
    }
  } }
}`;

export const REPORT_ID_BY_CODE = `query ReportIdByCode($code: String!) {
  report(code: $code) { id code title status }
}`;

export const AGENCIES = `query Agencies { agencies { id name } }`;
export const CATEGORIES = `query Categories { categories { id name } }`;
export const VIEWER = `query Viewer { viewer { id displayName role agency { id name } } }`;

// Live feeds: each event carries the report's row, so a list updates without another request.
export const AGENCY_INBOX = `subscription AgencyInbox($agencyId: ID, $after: String) {
  agencyInbox(agencyId: $agencyId, after: $after) { ${EVENT_FIELDS} report { ${ROW_FIELDS} } }
}`;

export const TRIAGE_QUEUE = `subscription TriageQueue($after: String) {
  triageQueue(after: $after) { ${EVENT_FIELDS} report { ${ROW_FIELDS} } }
}`;

export const REPORT_EVENTS = `subscription ReportEvents($reportId: ID!, $after: String) {
  reportEvents(reportId: $reportId, after: $after) {
    ${EVENT_FIELDS}
    report { id status isOverdue dueAt updatedAt resolvedAt closedAt assignedAgency { id name } }
  }
}`;

const PAYLOAD = `report { ${DETAIL_FIELDS} } userErrors { code message field }`;

export const MUTATIONS = {
  assignReport: `mutation Assign($input: AssignReportInput!) { assignReport(input: $input) { ${PAYLOAD} } }`,
  rejectReport: `mutation Reject($input: RejectReportInput!) { rejectReport(input: $input) { ${PAYLOAD} } }`,
  acknowledgeReport: `mutation Acknowledge($input: ReportActionInput!) { acknowledgeReport(input: $input) { ${PAYLOAD} } }`,
  returnReport: `mutation Return($input: ReportActionInput!) { returnReport(input: $input) { ${PAYLOAD} } }`,
  resolveReport: `mutation Resolve($input: ResolveReportInput!) { resolveReport(input: $input) { ${PAYLOAD} } }`,
  sendBackAnswer: `mutation SendBack($input: ReportActionInput!) { sendBackAnswer(input: $input) { ${PAYLOAD} } }`,
  reopenReport: `mutation Reopen($input: ReportActionInput!) { reopenReport(input: $input) { ${PAYLOAD} } }`,
  closeReport: `mutation Close($input: ReportActionInput!) { closeReport(input: $input) { ${PAYLOAD} } }`,
  extendDeadline: `mutation Extend($input: ExtendDeadlineInput!) { extendDeadline(input: $input) { ${PAYLOAD} } }`,
  postMessage: `mutation Post($input: PostMessageInput!) { postMessage(input: $input) { message { id } userErrors { code message field } } }`,
};

/** Follow `pageInfo` until a connection is complete; returns every node in order. */
export async function allNodes(run, firstPage, pageQuery, reportId, field) {
  const nodes = firstPage.edges.map((edge) => edge.node);
  let { hasNextPage, endCursor } = firstPage.pageInfo;
  while (hasNextPage) {
    const data = await run(pageQuery, { id: reportId, after: endCursor });
    const page = data.node[field];
    nodes.push(...page.edges.map((edge) => edge.node));
    ({ hasNextPage, endCursor } = page.pageInfo);
  }
  return nodes;
}
